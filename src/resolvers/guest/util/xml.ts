/**
 * `util.xml.toMap` / `toJsonString` (docs/resolvers.md#util-in-detail): XML to a map the way AppSync
 * (org.json's XML conversion) does it: repeated siblings become a list, attributes become keys,
 * text beside attributes goes under `content`, numeric and boolean text becomes a number/boolean.
 * Hand-written: must run in the sandbox without Node built-ins.
 */

export type XmlValue = string | number | boolean | null | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e] ?? whole;
  });
}

function coerce(text: string): XmlValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return text;
}

function add(target: XmlObject, key: string, value: XmlValue): void {
  if (!(key in target)) target[key] = value;
  else if (Array.isArray(target[key])) (target[key] as XmlValue[]).push(value);
  else target[key] = [target[key]!, value];
}

/** Parses `xml`; returns null when it is not well-formed. */
function xmlToMap(xml: string): XmlObject | null {
  const text = String(xml)
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>]*>/gi, '');
  const root: XmlObject = {};
  const stack: Array<{ name: string; node: XmlObject; text: string }> = [{ name: '', node: root, text: '' }];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!\[CDATA\[([\s\S]*?)\]\]>/g;
  let last = 0;
  let match: RegExpExecArray | null;
  while ((match = tag.exec(text))) {
    const between = text.slice(last, match.index);
    if (/[<>]/.test(between)) return null;
    stack[stack.length - 1]!.text += decode(between);
    last = tag.lastIndex;
    if (match[5] !== undefined) {
      stack[stack.length - 1]!.text += match[5];
      continue;
    }
    const [, closing, name, attrs, selfClosing] = match;
    if (closing) {
      const top = stack.pop()!;
      if (top.name !== name || stack.length === 0) return null;
      const trimmed = top.text.trim();
      const hasChildren = Object.keys(top.node).length > 0;
      let value: XmlValue;
      if (!hasChildren) value = trimmed === '' ? '' : coerce(trimmed);
      else {
        if (trimmed !== '') top.node.content = coerce(trimmed);
        value = top.node;
      }
      add(stack[stack.length - 1]!.node, name!, value);
      continue;
    }
    const node: XmlObject = {};
    for (const a of (attrs ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) node[a[1]!] = coerce(decode(a[2] ?? a[3] ?? ''));
    if (selfClosing) add(stack[stack.length - 1]!.node, name!, Object.keys(node).length ? node : '');
    else stack.push({ name: name!, node, text: '' });
  }
  if (stack.length !== 1 || /[<>]/.test(text.slice(last))) return null;
  return root;
}

export function createXmlUtils() {
  return {
    toMap: (xml: string) => xmlToMap(xml),
    toJsonString(xml: string, stringEncode?: boolean): string {
      const json = JSON.stringify(xmlToMap(xml));
      return stringEncode ? JSON.stringify(json) : json;
    },
  };
}
