// `@aws-appsync/utils/dynamodb` helpers: filled in by the DynamoDB data source work.
export {};
