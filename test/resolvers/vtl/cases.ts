/**
 * The VTL case table (docs/resolvers.md#vtl-mapping-templates): each case is a template, the
 * context it runs with and the JSON it renders (or the error it raises). Sources name the AWS
 * developer-guide page the behaviour comes from (resolver-mapping-template-reference-*,
 * resolver-util-reference, resolver-context-reference) or the Velocity 1.7 user guide; `Gateway
 * choice` marks our own. Shared so the EvaluateMappingTemplate endpoint can run the same table.
 */
export interface VtlCase {
  name: string;
  /** Where the expected behaviour is documented. */
  source: string;
  template: string;
  /** `$ctx` members; `result` makes the template run as a response template. */
  context?: { arguments?: Record<string, unknown>; source?: unknown; identity?: unknown; result?: unknown };
  expected?: unknown;
  /** The outcome `#return` gives: `early` in a request template. */
  early?: unknown;
  error?: { errorType: string; message: string | RegExp };
  /**
   * The error comes from reading the rendered text as JSON: EvaluateMappingTemplate, which answers
   * the raw rendering, gives the text (the template itself in these cases) instead.
   */
  invalidJson?: true;
}

export const VTL_CASES: VtlCase[] = [
  // resolver-mapping-template-reference-none: the NONE request shape, arguments through toJson
  {
    name: 'NONE request with $util.toJson of the arguments',
    source: 'resolver-mapping-template-reference-none',
    template: '{ "version": "2018-05-29", "payload": $util.toJson($context.arguments) }',
    context: { arguments: { id: 'postId1' } },
    expected: { version: '2018-05-29', payload: { id: 'postId1' } },
  },
  {
    name: '$ctx and $context are the same object; args is arguments',
    source: 'resolver-context-reference',
    template: '{ "a": "$ctx.args.id", "b": "$context.arguments.id" }',
    context: { arguments: { id: 'x1' } },
    expected: { a: 'x1', b: 'x1' },
  },
  {
    name: 'response template reads $ctx.result',
    source: 'resolver-mapping-template-reference-none',
    template: '$util.toJson($ctx.result)',
    context: { result: { id: 1, title: 't' } },
    expected: { id: 1, title: 't' },
  },
  // resolver-mapping-template-reference-programming-guide: #set, #if, #foreach
  {
    name: '#set and string interpolation',
    source: 'resolver-mapping-template-reference-programming-guide (Variables)',
    template: '#set($name = "World")\n{ "greeting": "Hello ${name}!" }',
    expected: { greeting: 'Hello World!' },
  },
  {
    name: '#if / #elseif / #else',
    source: 'resolver-mapping-template-reference-programming-guide (Conditional checks)',
    template: '#set($n = 5)\n#if($n > 10) "big" #elseif($n > 3) "medium" #else "small" #end',
    expected: 'medium',
  },
  {
    name: 'an empty string is true in #if, null and false are not (Velocity 1.7)',
    source: 'Velocity 1.7 user guide (#if: true unless null or false); Gateway choice where AppSync is silent',
    template:
      '#set($e = "")\n#set($l = [])\n[#if($e)"e"#else"-"#end, #if($ctx.args.missing)"m"#else"-"#end, #if(false)"f"#else"-"#end, #if($l)"l"#else"-"#end]',
    expected: ['e', '-', '-', 'l'],
  },
  {
    name: '#foreach with $foreach.index, $foreach.count and $foreach.hasNext',
    source: 'resolver-mapping-template-reference-programming-guide (Loops); Velocity 1.7 $foreach',
    template: '[#foreach($x in ["a","b","c"]){"v":"$x","i":$foreach.index,"c":$foreach.count,"n":$foreach.hasNext}#if($foreach.hasNext),#end#end]',
    expected: [
      { v: 'a', i: 0, c: 1, n: true },
      { v: 'b', i: 1, c: 2, n: true },
      { v: 'c', i: 2, c: 3, n: false },
    ],
  },
  {
    name: '#foreach over a range and #break',
    source: 'Velocity 1.7 user guide (#foreach, #break)',
    template: '#set($out = [])\n#foreach($i in [1..10])#if($i > 3)#break#end$util.qr($out.add($i))#end\n$util.toJson($out)',
    expected: [1, 2, 3],
  },
  {
    name: '#foreach over a map iterates its values',
    source: 'Velocity 1.7 user guide (#foreach over a Map)',
    template: '#set($m = {"a": 1, "b": 2})\n#set($sum = 0)\n#foreach($v in $m)#set($sum = $sum + $v)#end\n$sum',
    expected: 3,
  },
  {
    name: 'AppSync caps #foreach at 1,000 iterations',
    source: 'resolver-mapping-template-reference-programming-guide (loops are capped at 1000 iterations); Gateway choice: an error beyond the cap',
    template: '#foreach($i in [1..10000])$i#end',
    error: { errorType: 'MappingTemplate', message: /at most 1000 iterations/ },
  },
  {
    name: '#foreach over a list of 1,001 items fails',
    source: 'resolver-mapping-template-reference-programming-guide (loops are capped at 1000 iterations); Gateway choice: an error beyond the cap',
    template: '#foreach($i in $ctx.args.items)#end{}',
    context: { arguments: { items: Array.from({ length: 1001 }, (_, i) => i) } },
    error: { errorType: 'MappingTemplate', message: /^#foreach would loop 1001 times at line 1; AppSync allows at most 1000 iterations per loop\.$/ },
  },
  {
    name: 'a range longer than the cap is refused before it is built',
    source: 'Gateway choice: AppSync caps loops at 1000 iterations; [1..n] past it is an error',
    template: '#foreach($i in [1..1000000000])$i#end',
    error: { errorType: 'MappingTemplate', message: 'The range [1..1000000000] has 1000000000 elements; AppSync allows at most 1000 iterations per loop.' },
  },
  {
    name: '#foreach of exactly 1,000 iterations runs',
    source: 'resolver-mapping-template-reference-programming-guide (Loops)',
    template: '#set($n = 0)#foreach($i in [1..1000])#set($n = $n + 1)#end$n',
    expected: 1000,
  },
  {
    name: 'integer division truncates as Java does; a decimal divides exactly',
    source: 'Velocity 1.7 user guide (math: Integer arithmetic)',
    template: '#set($a = 7 / 2)#set($b = -7 / 2)#set($c = 7 % 3)#set($d = 7.5 / 2)[$a, $b, $c, $d]',
    expected: [3, -3, 1, 3.75],
  },
  {
    name: 'quiet reference renders nothing for null, a loud one its own text',
    source: 'Velocity 1.7 user guide (Quiet reference notation)',
    template: '{ "quiet": "$!{ctx.args.missing}", "loud": "$ctx.args.missing" }',
    expected: { quiet: '', loud: '$ctx.args.missing' },
  },
  {
    name: '$util.qr and $util.quiet swallow a method result',
    source: 'resolver-util-reference ($util.qr, $util.quiet)',
    template: '#set($list = [])\n$util.qr($list.add(1))$util.quiet($list.add(2))\n$util.toJson($list)',
    expected: [1, 2],
  },
  {
    name: 'Map.put without $util.qr prints its null result as the reference text (Velocity)',
    source: 'Velocity 1.7 user guide (a method returning null renders the reference)',
    template: '#set($m = {})\n#set($t = "$m.put(\'k\', 1)")\n$util.toJson($t)',
    expected: "$m.put('k',1)",
  },
  {
    name: 'List and Map methods',
    source: 'resolver-mapping-template-reference-programming-guide (Maps, Lists: put, add, get, size, containsKey, keySet, remove, isEmpty)',
    template: [
      '#set($m = {"a": 1})',
      '$util.qr($m.put("b", 2))$util.qr($m.putAll({"c": 3}))$util.qr($m.remove("a"))',
      '#set($l = ["x"])$util.qr($l.add("y"))',
      '{ "keys": $util.toJson($m.keySet()), "values": $util.toJson($m.values()), "size": $m.size(), "hasB": $m.containsKey("b"),',
      '  "get": $m.get("c"), "empty": $m.isEmpty(), "list": $util.toJson($l), "first": "$l.get(0)", "lsize": $l.size(),',
      '  "entries": [#foreach($e in $m.entrySet())"$e.key=$e.value"#if($foreach.hasNext),#end#end] }',
    ].join('\n'),
    expected: { keys: ['b', 'c'], values: [2, 3], size: 2, hasB: true, get: 3, empty: false, list: ['x', 'y'], first: 'x', lsize: 2, entries: ['b=2', 'c=3'] },
  },
  {
    name: 'String methods with Java semantics (replaceAll takes a Java regex, split drops trailing empties)',
    source: 'resolver-mapping-template-reference-programming-guide (String methods); java.lang.String',
    template: [
      '#set($s = "  Hello, World  ")',
      '#set($t = $s.trim())#set($csv = "a,b,,c,,")#set($e = "")',
      '{ "contains": $t.contains("World"), "starts": $t.startsWith("Hell"), "lower": "$t.toLowerCase()", "len": $t.length(),',
      '  "sub": "$t.substring(0, 5)", "repl": "$t.replaceAll("[aeiou]", "*")", "split": $util.toJson($csv.split(",")),',
      '  "matches": $t.matches("H.*d"), "equals": $t.equals("Hello, World"), "empty": $e.isEmpty() }',
    ].join('\n'),
    expected: {
      contains: true,
      starts: true,
      lower: 'hello, world',
      len: 12,
      sub: 'Hello',
      repl: 'H*ll*, W*rld',
      split: ['a', 'b', '', 'c'],
      matches: true,
      equals: true,
      empty: true,
    },
  },
  {
    name: '== compares lists and maps by value',
    source: 'Velocity 1.7 (== uses equals())',
    template: '#set($a = [1, 2])#set($b = [1, 2])#set($x = $a == $b)#set($y = "1" == 1)#set($z = $ctx.args.missing == $null)[$x, $y, $z]',
    expected: [true, true, true],
  },
  {
    name: '#define and a macro',
    source: 'Velocity 1.7 user guide (#define, #macro)',
    template: '#define($block)"defined"#end\n#macro(pair $k $v)"$k": "$v"#end\n{ #pair("a" "1"), "d": $block }',
    expected: { a: '1', d: 'defined' },
  },
  {
    name: 'deeply recursive macros fail with a clear error',
    source: 'Velocity 1.7 velocimacro.max.depth (20); Gateway choice: a MappingTemplate error',
    template: '#macro(down $n)#down($n)#end\n#down(1)',
    error: { errorType: 'MappingTemplate', message: /nest more than 20 deep/ },
  },
  {
    name: 'a property named like a word operator ($ctx.stash.authFilter.or, as Amplify generates)',
    source: 'aws-amplify/amplify-category-api#1647 (AppSync reads .or as a property)',
    template:
      '#set($ctx.stash.authFilter = {"or": [1, 2]})\n#set($f = $ctx.stash.authFilter.or)\n{ "or": $util.toJson($f), "n": $ctx.stash.authFilter.or.size() }',
    expected: { or: [1, 2], n: 2 },
  },
  {
    name: 'a word-operator property inside a double-quoted string ("$ctx.args.title.eq", as Amplify sort-key conditions have it)',
    source: 'Velocity 1.7 user guide (string interpolation); Amplify @index query resolvers',
    template: '{ "S": "$ctx.args.title.eq", "lt": "${ctx.args.title.lt}" }',
    context: { arguments: { title: { eq: 'a', lt: 'b' } } },
    expected: { S: 'a', lt: 'b' },
  },
  {
    name: '$foreach.hasNext() as a method, as Amplify update resolvers join SET clauses',
    source: 'Velocity 1.7 ForeachScope (hasNext(), getCount(), isLast()); Amplify Mutation.update*.req.vtl',
    template:
      '#set($e = "SET")#foreach($k in ["a", "b", "c"])#set($e = "$e #$k = :$k")#if($foreach.hasNext())#set($e = "$e,")#end#if($foreach.isLast())#set($n = $foreach.getCount())#end#end{ "e": "$e", "n": $n }',
    expected: { e: 'SET #a = :a, #b = :b, #c = :c', n: 3 },
  },
  {
    name: '$$ and multi-line map literals in #set parse',
    source: 'Amplify-generated resolvers (docs/resolvers.md#vtl-mapping-templates)',
    template: '#set($m = {\n  "a": 1,\n  "b": {\n    "c": [1, 2]\n  }\n})\n{ "m": $util.toJson($m), "price": "$$5" }',
    expected: { m: { a: 1, b: { c: [1, 2] } }, price: '$$5' },
  },
  {
    name: 'comments are not rendered',
    source: 'resolver-mapping-template-reference-programming-guide (Comments)',
    template: '## a line comment\n#* a block\n comment *#\n{ "ok": true }',
    expected: { ok: true },
  },
  {
    name: '#return with a value ends a response template',
    source: 'resolver-mapping-template-reference-programming-guide / resolver-util-reference (#return)',
    template: '#if($ctx.result.skip)#return({"skipped": true})#end\n{ "skipped": false }',
    context: { result: { skip: true } },
    expected: { skipped: true },
  },
  {
    name: '#return without a value returns null',
    source: 'resolver-mapping-template-reference (#return)',
    template: '#return\n{ "never": true }',
    context: { result: {} },
    expected: null,
  },
  {
    name: '#return in a request template skips the data source',
    source: 'resolver-mapping-template-reference (#return in a request template)',
    template: '#return({"early": 1})',
    early: { early: 1 },
  },
  {
    name: '#stop ends the template',
    source: 'Velocity 1.7 user guide (#stop)',
    template: '{ "a": 1 }#stop\n garbage',
    expected: { a: 1 },
  },
  // resolver-util-reference: core $util
  {
    name: '$util.isNull*, defaultIfNull*, is* and typeOf',
    source: 'resolver-util-reference',
    template: [
      '{ "isNull": $util.isNull($ctx.args.missing), "isNullOrEmpty": $util.isNullOrEmpty(""), "isNullOrBlank": $util.isNullOrBlank("  "),',
      '  "d1": "$util.defaultIfNull($ctx.args.missing, "d")", "d2": "$util.defaultIfNullOrEmpty("", "e")", "d3": "$util.defaultIfNullOrBlank(" ", "b")",',
      '  "isString": $util.isString("s"), "isNumber": $util.isNumber(1), "isBoolean": $util.isBoolean(true), "isList": $util.isList([]), "isMap": $util.isMap({}),',
      '  "types": ["$util.typeOf($ctx.args.missing)", "$util.typeOf(1)", "$util.typeOf("s")", "$util.typeOf([])", "$util.typeOf({})", "$util.typeOf(true)"] }',
    ].join('\n'),
    expected: {
      isNull: true,
      isNullOrEmpty: true,
      isNullOrBlank: true,
      d1: 'd',
      d2: 'e',
      d3: 'b',
      isString: true,
      isNumber: true,
      isBoolean: true,
      isList: true,
      isMap: true,
      types: ['Null', 'Number', 'String', 'List', 'Map', 'Boolean'],
    },
  },
  {
    name: '$util.parseJson, toJson, escapeJavaScript, urlEncode/Decode, base64',
    source: 'resolver-util-reference',
    template: [
      '#set($o = $util.parseJson("{\\"a\\":[1,2]}"))',
      '{ "parsed": $util.toJson($o.a), "esc": "$util.escapeJavaScript(\'a"b\')", "url": "$util.urlEncode("a b&c")", "unurl": "$util.urlDecode("a+b%26c")",',
      '  "b64": "$util.base64Encode("hello")", "unb64": "$util.base64Decode("aGVsbG8=")", "matches": $util.matches("a*b", "aaaab") }',
    ].join('\n'),
    expected: { parsed: [1, 2], esc: 'a"b', url: 'a+b%26c', unurl: 'a b&c', b64: 'aGVsbG8=', unb64: 'hello', matches: true },
  },
  {
    name: '$util.autoId is a UUID',
    source: 'resolver-util-reference ($util.autoId)',
    template: '#set($id = $util.autoId())\n$util.toJson($id.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))',
    expected: true,
  },
  {
    name: '$util.authType for an API key call',
    source: 'resolver-util-reference ($util.authType)',
    template: '"$util.authType()"',
    expected: 'API Key Authorization',
  },
  {
    name: '$util.time formats with Java patterns',
    source: 'time-helpers-in-util-time (VTL $util.time)',
    template: '"$util.time.epochMilliSecondsToFormatted(1517943695758, "yyyy-MM-dd HH:mm:ssZ", "+08:00")"',
    expected: '2018-02-07 03:01:35+0800',
  },
  {
    name: '$util.dynamodb helpers and their Json forms',
    source: 'dynamodb-helpers-in-util-dynamodb (VTL)',
    template:
      '{ "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) }, "values": $util.dynamodb.toMapValuesJson({"n": 1, "ok": true}), "s": $util.toJson($util.dynamodb.toString("x")) }',
    context: { arguments: { id: 'a1' } },
    expected: { key: { id: { S: 'a1' } }, values: { n: { N: 1 }, ok: { BOOL: true } }, s: { S: 'x' } },
  },
  {
    name: '$util.error with message, type, data and errorInfo',
    source: 'resolver-util-reference ($util.error)',
    template: '$util.error("Not allowed", "Custom", {"id": 1}, {"why": "x"})',
    error: { errorType: 'Custom', message: 'Not allowed' },
  },
  {
    name: '$util.validate raises when the condition is false',
    source: 'resolver-util-reference ($util.validate)',
    template: '$util.validate(false, "bad input")\n{}',
    error: { errorType: 'CustomTemplateException', message: 'bad input' },
  },
  {
    name: '$util.unauthorized',
    source: 'resolver-util-reference ($util.unauthorized)',
    template: '$util.unauthorized()',
    error: { errorType: 'Unauthorized', message: 'Not Authorized to access f on type Query' },
  },
  {
    name: '$util.list and $util.map copies',
    source: 'resolver-util-reference ($util.list, $util.map)',
    template: [
      '#set($people = [{"name": "b", "age": 30}, {"name": "a", "age": 40}, {"name": "c", "age": 20}])',
      '{ "retain": $util.toJson($util.list.copyAndRetainAll([1, 2, 3, 4], [2, 4, 6])), "remove": $util.toJson($util.list.copyAndRemoveAll([1, 2, 3, 4], [2, 4])),',
      '  "byName": $util.toJson($util.list.sortList($people, false, "name")), "byAgeDesc": $util.toJson($util.list.sortList($people, true, "age")),',
      '  "plain": $util.toJson($util.list.sortList([3, 1, 2], false, "")),',
      '  "keep": $util.toJson($util.map.copyAndRetainAllKeys({"a": 1, "b": 2, "c": 3}, ["a", "c"])), "drop": $util.toJson($util.map.copyAndRemoveAllKeys({"a": 1, "b": 2}, ["a"])) }',
    ].join('\n'),
    expected: {
      retain: [2, 4],
      remove: [1, 3],
      byName: [
        { name: 'a', age: 40 },
        { name: 'b', age: 30 },
        { name: 'c', age: 20 },
      ],
      byAgeDesc: [
        { name: 'a', age: 40 },
        { name: 'b', age: 30 },
        { name: 'c', age: 20 },
      ],
      plain: [1, 2, 3],
      keep: { a: 1, c: 3 },
      drop: { b: 2 },
    },
  },
  // The VTL forms of $util.transform, rds, xml, http, math, str and time, against AWS's documented examples.
  {
    name: '$util.transform.toDynamoDBFilterExpression returns the filter as JSON text (Amplify reads it with $util.parseJson)',
    source:
      'transformation-helpers-in-utils-transform (VTL example: title contains "Hello World"); Gateway choice: the expression is written "(contains(#title,:title_contains))", the same condition as the example\'s "contains(#title, :title_contains)"',
    template: [
      '#set($f = $util.parseJson($util.transform.toDynamoDBFilterExpression({"title": {"contains": "Hello World"}})))',
      '{ "expression": $util.toJson($f.expression), "names": $util.toJson($f.expressionNames), "values": $util.toJson($f.expressionValues) }',
    ].join('\n'),
    expected: { expression: '(contains(#title,:title_contains))', names: { '#title': 'title' }, values: { ':title_contains': { S: 'Hello World' } } },
  },
  {
    name: '$util.transform.toDynamoDBConditionExpression',
    source: 'transformation-helpers-in-utils-transform (condition expressions use the filter operators)',
    template: '$util.transform.toDynamoDBConditionExpression({"version": {"eq": 3}, "status": {"attributeExists": true}})',
    expected: {
      expression: '(#version = :version_eq) AND (attribute_exists(#status))',
      expressionNames: { '#version': 'version', '#status': 'status' },
      expressionValues: { ':version_eq': { N: 3 } },
    },
  },
  {
    name: "$util.transform.toElasticsearchQueryDSL gives AWS's example output, nesting and all",
    source: 'transformation-helpers-in-utils-transform (VTL example: upvotes ne 15, range [10, 20]; title eq "hihihi", wildcard "h*i")',
    template: '$util.transform.toElasticsearchQueryDSL({"upvotes": {"ne": 15, "range": [10, 20]}, "title": {"eq": "hihihi", "wildcard": "h*i"}})',
    expected: {
      bool: {
        must: [
          { bool: { must: [{ bool: { must_not: { term: { upvotes: 15 } } } }, { range: { upvotes: { gte: 10, lte: 20 } } }] } },
          { bool: { must: [{ term: { title: 'hihihi' } }, { wildcard: { title: 'h*i' } }] } },
        ],
      },
    },
  },
  {
    name: '$util.transform.toSubscriptionFilter gives the filterGroup $extensions.setSubscriptionFilter takes',
    source: 'transformation-helpers-in-utils-transform (toSubscriptionFilter); extensions (setSubscriptionFilter)',
    template: '$util.toJson($util.transform.toSubscriptionFilter({"title": {"contains": "Hello"}, "views": {"gt": 10}}))',
    expected: {
      filterGroup: [
        {
          filters: [
            { fieldName: 'title', operator: 'contains', value: 'Hello' },
            { fieldName: 'views', operator: 'gt', value: 10 },
          ],
        },
      ],
    },
  },
  {
    name: '$util.rds.toJsonObject and toJsonString: one list of rows per statement, keyed by column label',
    source: 'rds-helpers-in-util-rds (VTL: toJsonString, toJsonObject)',
    template: [
      '#set($result = \'{"sqlStatementResults":[{"records":[[{"stringValue":"Mark Twain"},{"longValue":1884}]],"columnMetadata":[{"name":"author","label":"author"},{"name":"year","label":"year"}]}]}\')',
      '{ "object": $util.toJson($util.rds.toJsonObject($result)[0][0]), "text": $util.toJson($util.rds.toJsonString($result)) }',
    ].join('\n'),
    expected: { object: { author: 'Mark Twain', year: 1884 }, text: '[[{"author":"Mark Twain","year":1884}]]' },
  },
  {
    name: '$util.xml.toMap and toJsonString: one element a map, repeated elements a list, numbers read as numbers',
    source: 'xml-helpers-in-util-xml (VTL example: <posts><post><id>1</id><title>…</title></post></posts>)',
    template: [
      '#set($one = $util.xml.toMap(\'<?xml version="1.0" encoding="UTF-8"?><posts><post><id>1</id><title>Getting started with GraphQL</title></post></posts>\'))',
      '#set($two = $util.xml.toJsonString("<posts><post><id>1</id><title>A</title></post><post><id>2</id><title>B</title></post></posts>"))',
      '{ "one": $util.toJson($one), "two": $two }',
    ].join('\n'),
    expected: {
      one: { posts: { post: { id: 1, title: 'Getting started with GraphQL' } } },
      two: {
        posts: {
          post: [
            { id: 1, title: 'A' },
            { id: 2, title: 'B' },
          ],
        },
      },
    },
  },
  {
    name: '$util.http.copyHeaders drops the restricted headers',
    source: 'http-helpers-in-utils-http (copyHeaders: transfer-encoding, connection, host, expect, keep-alive, upgrade, proxy-*, te, content-length)',
    template:
      '$util.toJson($util.http.copyHeaders({"content-type": "application/json", "x-custom": "b", "host": "h", "connection": "close", "authorization": "x"}))',
    expected: { 'content-type': 'application/json', 'x-custom': 'b', authorization: 'x' },
  },
  {
    name: '$util.math rounds as Java (half up) and compares',
    source: 'math-helpers-in-util-math (roundNum, minVal, maxVal)',
    template: '$util.toJson([$util.math.roundNum(2.5), $util.math.roundNum(-2.5), $util.math.minVal(1.5, 2), $util.math.maxVal(1, 2.5)])',
    expected: [3, -2, 1.5, 2.5],
  },
  {
    name: '$util.str: toUpper, toLower, toReplace (every occurrence), normalize',
    source: 'str-helpers-in-util-str',
    template:
      '$util.toJson([$util.str.toUpper("hello"), $util.str.toLower("HeLLo"), $util.str.toReplace("a-b-c", "-", "+"), $util.str.normalize("e\u0301", "nfc").length()])',
    expected: ['HELLO', 'hello', 'a+b+c', 1],
  },
  {
    name: "$util.time: AWS's documented conversions, Java patterns and a named time zone",
    source:
      'time-helpers-in-util-time (parseFormattedToEpochMilliSeconds, epochMilliSecondsToISO8601, epochMilliSecondsToSeconds, epochMilliSecondsToFormatted, parseISO8601ToEpochMilliSeconds)',
    template: [
      '$util.toJson([$util.time.parseFormattedToEpochMilliSeconds("2018-02-01 17:21:05.000+0000", "yyyy-MM-dd HH:mm:ss.SSSZ"),',
      '  $util.time.epochMilliSecondsToISO8601(1517943695750), $util.time.epochMilliSecondsToSeconds(1517943695750),',
      '  $util.time.epochMilliSecondsToFormatted(1517943695750, "yyyy-MM-dd HH:mm:ssZ"), $util.time.parseISO8601ToEpochMilliSeconds("2018-02-01T17:21:05.000+08:00"),',
      '  $util.time.epochMilliSecondsToFormatted(1517943695750, "EEE, d MMM yyyy HH:mm", "America/New_York")])',
    ].join('\n'),
    expected: [1517505665000, '2018-02-06T19:01:35.750Z', 1517943695, '2018-02-06 19:01:35+0000', 1517476865000, 'Tue, 6 Feb 2018 14:01'],
  },
  // Strict JSON output, with AppSync's wording (aws-amplify/amplify-cli#3180; recorded AppSync errors)
  {
    name: 'unquoted keys fail as on AppSync',
    invalidJson: true,
    source: 'aws-amplify/amplify-cli#3180 (AppSync refuses unquoted keys); AppSync error text for Jackson parse errors',
    template: '{ version: "2018-05-29" }',
    error: {
      errorType: 'MappingTemplate',
      message:
        /^Unable to parse the JSON document: 'Unexpected character \('v' \(code 118\)\): was expecting double-quote to start field name\n at \[Source: \(String\)".*"; line: 1, column: 4\]'$/s,
    },
  },
  {
    name: 'a trailing comma fails (strict JSON, Gateway choice on conflicting reports)',
    invalidJson: true,
    source: 'aws-amplify/amplify-cli#3180',
    template: '{ "a": 1, }',
    error: { errorType: 'MappingTemplate', message: /was expecting double-quote to start field name/ },
  },
  {
    name: 'text after the JSON value fails',
    invalidJson: true,
    source: 'AppSync error text: Trailing characters at the end of the JSON string are not allowed.',
    template: '{ "a": 1 })',
    error: { errorType: 'MappingTemplate', message: 'Trailing characters at the end of the JSON string are not allowed.' },
  },
  {
    name: 'text that is not JSON at all',
    invalidJson: true,
    source: 'AppSync error text: Unable to convert <text> to Object.',
    template: '# not a comment',
    error: { errorType: 'MappingTemplate', message: 'Unable to convert # not a comment to Object.' },
  },
  {
    name: 'an empty rendering is null',
    source: 'Gateway choice: an empty evaluated template gives null',
    template: '## nothing\n',
    context: { result: { a: 1 } },
    expected: null,
  },
];
