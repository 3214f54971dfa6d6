/**
 * The message attribute names SNS defines for itself under the prefixes it reserves (`AWS.`,
 * `Amazon.`): the only such names a publish may carry (snsMessageAttributes.ts). Each is an
 * instruction to SNS for one kind of endpoint, spelt as AWS spells it: SNS refused
 * `AWS.SNS.SMS.SenderId` (aws/aws-sdk-js#3110) and `AWS.SNS.SMS.TemplateId` (boto/boto3#2947) as
 * reserved, so a name is matched exactly, casing included.
 */

/** SMS: the SNS developer guide's "Publishing to a mobile phone", `MessageAttributes` of Publish. */
const SMS = [
  'AWS.SNS.SMS.SenderID',
  'AWS.SNS.SMS.MaxPrice',
  'AWS.SNS.SMS.SMSType',
  'AWS.MM.SMS.OriginationNumber',
  'AWS.MM.SMS.EntityId',
  'AWS.MM.SMS.TemplateId',
];

/** Mobile push: the developer guide's "Amazon SNS message attributes", table "Reserved message attributes for mobile push notifications". */
const MOBILE_PUSH = [
  'AWS.SNS.MOBILE.ADM.TTL',
  'AWS.SNS.MOBILE.APNS_MDM.TTL',
  'AWS.SNS.MOBILE.APNS_MDM_SANDBOX.TTL',
  'AWS.SNS.MOBILE.APNS_PASSBOOK.TTL',
  'AWS.SNS.MOBILE.APNS_PASSBOOK_SANDBOX.TTL',
  'AWS.SNS.MOBILE.APNS_SANDBOX.TTL',
  'AWS.SNS.MOBILE.APNS_VOIP.TTL',
  'AWS.SNS.MOBILE.APNS_VOIP_SANDBOX.TTL',
  'AWS.SNS.MOBILE.APNS.COLLAPSE_ID',
  'AWS.SNS.MOBILE.APNS.PRIORITY',
  'AWS.SNS.MOBILE.APNS.PUSH_TYPE',
  'AWS.SNS.MOBILE.APNS.TOPIC',
  'AWS.SNS.MOBILE.APNS.TTL',
  'AWS.SNS.MOBILE.PREFERRED_AUTHENTICATION_METHOD',
  'AWS.SNS.MOBILE.BAIDU.DeployStatus',
  'AWS.SNS.MOBILE.BAIDU.MessageKey',
  'AWS.SNS.MOBILE.BAIDU.MessageType',
  'AWS.SNS.MOBILE.BAIDU.TTL',
  'AWS.SNS.MOBILE.FCM.TTL',
  'AWS.SNS.MOBILE.GCM.TTL',
  'AWS.SNS.MOBILE.MACOS.TTL',
  'AWS.SNS.MOBILE.MACOS_SANDBOX.TTL',
  'AWS.SNS.MOBILE.MPNS.NotificationClass',
  'AWS.SNS.MOBILE.MPNS.TTL',
  'AWS.SNS.MOBILE.MPNS.Type',
  'AWS.SNS.MOBILE.WNS.CachePolicy',
  'AWS.SNS.MOBILE.WNS.Group',
  'AWS.SNS.MOBILE.WNS.Match',
  'AWS.SNS.MOBILE.WNS.SuppressPopup',
  'AWS.SNS.MOBILE.WNS.Tag',
  'AWS.SNS.MOBILE.WNS.TTL',
  'AWS.SNS.MOBILE.WNS.Type',
];

/** Every reserved-prefix name SNS takes on a publish. */
export const SNS_RESERVED_NAMES: ReadonlySet<string> = new Set([...SMS, ...MOBILE_PUSH]);
