/**
 * VTL templates the gateway evaluates itself (docs/resolvers.md#handlers-the-gateway-evaluates)
 * against the sandbox's engine: every row is one VTL unit resolver, served by a gateway with
 * `sandbox.evaluateSimpleHandlers` on and one with it off, sent the same request in the same order;
 * the whole GraphQL answers (errors included, so the same errorType and message) must be identical.
 * Each row also says where it must run in the first gateway (in the gateway, handed to the sandbox
 * at run time, or refused at load), read from the debug log, so a row cannot pass by quietly taking
 * the sandbox.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../../src/index.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';
import { differentialConfig, expectSameAnswer, type Line } from './differentialHarness.js';

type Where = 'gateway' | 'fallback' | 'sandbox';
interface Row {
  name: string;
  request: string;
  /** Absent: the default `$util.toJson($ctx.result)`. */
  response?: string;
  ds?: 'none' | 'ddb';
  where: Where;
  args?: string;
  mutation?: boolean;
  /** The field's type (default AWSJSON, which shows the value's exact JSON). */
  type?: string;
  selection?: string;
}

/** A NONE request template whose payload is `payload` (template text). */
const none = (payload: string) => `{ "version": "2018-05-29", "payload": ${payload} }`;
const J = (value: unknown) => JSON.stringify(JSON.stringify(value));
const ARGS = `a: "hi", n: 3, f: 2.5, b: true, e: "", z: 0, l: ["x", "y"], j: ${J({ x: { y: 1 }, s: 'str', list: [1, null, 'z'], nested: { deep: [{ k: 'v' }] } })}`;
const DOUBLED = (times: number, set: string) => Array.from({ length: times }, () => set).join('\n');

const ROWS: Row[] = [
  // ---- the bench's templates (test/bench/vtl.bench.ts)
  {
    name: 'getPost (the bench): toJson of an argument, the default response',
    request: '{ "version": "2018-05-29", "payload": { "id": $util.toJson($ctx.args.a), "title": "Hello", "views": 42 } }\n',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'getPostFields (the bench): #set and a response built field by field',
    request: '{ "version": "2018-05-29", "payload": { "id": $util.toJson($ctx.args.a), "title": "Hello", "views": 42 } }\n',
    response: '#set($post = $ctx.result)\n{ "id": $util.toJson($post.id), "title": $util.toJson($post.title), "views": $post.views }\n',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an explicit $util.toJson($context.result) response',
    request: none('$utils.toJson($ctx.args)'),
    response: '  $utils.toJson( $context.result )  ',
    where: 'gateway',
    args: ARGS,
  },

  // ---- references and how null renders
  {
    name: 'null and undefined references: $x renders its own text, $!x nothing',
    request: none(
      '{ "a": "$ctx.args.missing", "b": "$!ctx.args.missing", "c": "${ctx.args.missing}", "d": "$!{ctx.args.missing}", "e": "$ctx.args.a", "f": "$ctx.args.j.x.y.z.w", "g": "$nothing", "h": "$ctx.args.l[5]", "i": "$ctx.args[\'a\']" }',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'values as Velocity prints them (lists, maps, numbers, booleans)',
    request: none(
      '{ "l": "$ctx.args.l", "j": "$ctx.args.j.x", "n": "$ctx.args.n", "f": "$ctx.args.f", "b": "$ctx.args.b", "nested": "$ctx.args.j.nested", "len": $ctx.args.a.length, "llen": $ctx.args.l.length }',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'index steps',
    request: none(
      '[ $util.toJson($ctx.args.l[0]), $util.toJson($ctx.args.l[1]), $util.toJson($ctx.args.l[7]), $util.toJson($ctx.args.j["s"]), $util.toJson($ctx.args.j[\'list\'][2]), $util.toJson($ctx.args.a[0]) ]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'ctx members',
    request: none(
      '{ "identity": $util.toJson($ctx.identity), "source": $util.toJson($ctx.source), "header": $util.toJson($ctx.request.headers["x-differential"]), "domain": $util.toJson($ctx.request.domainName), "field": "$ctx.info.fieldName", "parent": "$context.info.parentTypeName", "variables": $util.toJson($ctx.info.variables), "list": $util.toJson($ctx.info.selectionSetList), "gql": $util.toJson($ctx.info.selectionSetGraphQL), "info": $util.toJson($ctx.info), "env": $util.toJson($ctx.env), "prev": $util.toJson($ctx.prev), "stash": $util.toJson($ctx.stash), "result": $util.toJson($ctx.result), "error": $util.toJson($ctx.error), "arguments": $util.toJson($ctx.arguments) }',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'the response reads ctx.result, ctx.prev and the arguments',
    request: none('{ "p": $util.toJson($ctx.args.j) }'),
    response:
      '{ "deep": $util.toJson($ctx.result.p.nested.deep[0].k), "whole": $util.toJson($context.result), "prev": $util.toJson($ctx.prev), "a": "$ctx.args.a", "error": "$!ctx.error" }',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'string interpolation, comments and raw text',
    request:
      '## a comment\n#* a block\ncomment *#\n' +
      none(
        '{ "s": "Hello $ctx.args.a, ${ctx.args.n} and $!ctx.args.missing$ctx.args.missing!", "raw": "#[[$not.a.reference]]#", "single": "#set($q = \'$ctx.args.a\')$q" }',
      ),
    where: 'gateway',
    args: ARGS,
  },

  // ---- directives
  {
    name: '#if with Velocity 1.7 truthiness: only null and false are false',
    request: none(
      '[#if($ctx.args.e)"empty string is true"#else"empty string is false"#end, #if($ctx.args.z)"0 is true"#else"0 is false"#end, #if($ctx.args.missing)"missing is true"#else"missing is false"#end, #if($ctx.args.l)"list",#end#if(!$ctx.args.b)"not b"#else"b"#end, #if($ctx.args.b && $ctx.args.e)"and"#else"not and"#end, #if($ctx.args.missing || $ctx.args.z)"or"#else"not or"#end, #if(!$ctx.args.missing)"not missing"#end]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '#elseif chains and nested #if',
    request: none(
      '#if($ctx.args.n > 5)"big"#elseif($ctx.args.n > 2)#if($ctx.args.f < 1)"mid-small"#elseif($ctx.args.f >= 2.5)"mid-big"#else"mid"#end#else"small"#end',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '== and != by Java rules',
    request:
      [
        '$ctx.args.n == 3',
        '$ctx.args.n == "3"',
        '$ctx.args.a == "hi"',
        '$ctx.args.l == $xy',
        '$ctx.args.j.x == $y1',
        '$ctx.args.missing == $nothing',
        '$ctx.args.missing == "x"',
        '$ctx.args.f != 2.5',
        '$ctx.args.b == "true"',
        '$ctx.args.l == "[x, y]"',
        '$ctx.args.z == false',
        '$ctx.args.n != 4',
      ]
        .map((test, i) => `#set($e${i} = ${test})\n`)
        .join('')
        .replace(/^/, '#set($xy = ["x", "y"])\n#set($y1 = {"y": 1})\n') + none(`[${Array.from({ length: 12 }, (_, i) => `$e${i}`).join(', ')}]`),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '#set, arithmetic with Java integer division, comparisons',
    request:
      '#set($x = $ctx.args.n)\n#set($x = $x + 1)\n#set($half = $ctx.args.n / 2)\n#set($mod = $ctx.args.n % 2)\n#set($byZero = $ctx.args.n / 0)\n#set($fl = $ctx.args.f / 2)\n#set($neg = -($ctx.args.n))\n#set($mix = ($ctx.args.n - 1) * 4)\n#set($str = "a" + $ctx.args.a)\n#set($notNum = $ctx.args.a / 2)\n' +
      '#set($less = $ctx.args.a < "z")\n#set($atMost = $ctx.args.n <= 3)\n#set($more = $ctx.args.f > 3)\n#set($atLeast = $ctx.args.n >= 4)\n' +
      none('[$x, $half, $mod, $util.toJson($byZero), $fl, $neg, $mix, "$str", $util.toJson($notNum), $less, $atMost, $more, $atLeast]'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'literals: maps, lists, strings, numbers, booleans, null',
    request:
      '#set($m = {"a": 1, "b": [1, 2.5, true, false, null, \'sq $x\', "dq"], "c": -1, "10": "ten", "2": "two", "arg": $ctx.args.a, "missing": $ctx.args.missing})\n' +
      none('{ "m": $util.toJson($m), "printed": "$m.b", "keys": "$m" }'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '#return in a request template skips the data source and the response',
    request: '#return({"early": $ctx.args.n, "a": "$ctx.args.a"})\n{ "not": "reached" }',
    response: '{ "x": "not reached" }',
    where: 'gateway',
    args: ARGS,
  },
  { name: '#return without a value', request: '#if($ctx.args.b)#return#end\n' + none('1'), where: 'gateway', args: ARGS },
  { name: '#return in a response template', request: none('$util.toJson($ctx.args.l)'), response: '#return($ctx.result[1])', where: 'gateway', args: ARGS },
  { name: 'an empty rendering is null', request: none('2'), response: '#if($ctx.args.missing)"x"#end\n  ', where: 'gateway', args: ARGS },

  // ---- $util
  {
    name: '$util checks and defaults',
    request: none(
      '[$util.isNull($ctx.args.missing), $util.isNull($ctx.args.e), $util.isNullOrEmpty($ctx.args.e), $util.isNullOrBlank(" "), $util.toJson($util.defaultIfNull($ctx.args.missing, "dflt")), $util.toJson($util.defaultIfNullOrEmpty($ctx.args.e, "dflt")), $util.toJson($util.defaultIfNullOrBlank($ctx.args.a, "dflt")), "$util.typeOf($ctx.args.l)", "$util.typeOf($ctx.args.j)", "$util.typeOf($ctx.args.missing)", "$util.typeOf($ctx.args.f)", $util.isString($ctx.args.a), $util.isNumber($ctx.args.n), $util.isBoolean($ctx.args.b), $util.isList($ctx.args.l), $util.isMap($ctx.args.j)]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '$util helpers: dynamodb, parseJson, str, qr, base64',
    request: none(
      '{ "s": $util.dynamodb.toDynamoDBJson($ctx.args.a), "m": $util.dynamodb.toMapValuesJson($ctx.args.j), "n": $util.toJson($util.dynamodb.toNumber($ctx.args.n)), "p": $util.toJson($util.parseJson("{\\"k\\": [1, 2]}").k), "u": "$util.str.toUpper($ctx.args.a)", "q": "$util.qr($ctx.args.a)x$utils.quiet(1)", "b": "$util.base64Encode($ctx.args.a)", "e": $util.toJson($util.escapeJavaScript("a\\"b")) }',
    ),
    where: 'gateway',
    args: ARGS,
  },

  {
    name: 'read-only Java methods and JavaBean getters',
    request:
      '#set($nowOk = $util.time.nowEpochSeconds().intValue() > 0)\n' +
      none(
        '{ "len": $ctx.args.a.length(), "size": $ctx.args.l.size(), "msize": $ctx.args.j.size(), "keys": $util.toJson($ctx.args.j.keySet()), "has": $ctx.args.j.containsKey("s"), "get": "$ctx.args.j.get(\'s\')", "getMissing": "$ctx.args.j.get(\'nope\')", "lget": "$ctx.args.l.get(1)", "in": $ctx.args.l.contains("x"), "up": "$ctx.args.a.toUpperCase()", "sub": "$ctx.args.j.s.substring(1)", "sub2": "$ctx.args.j.s.substring(1, 2)", "idx": $ctx.args.l.indexOf("y"), "starts": $ctx.args.a.startsWith("h"), "bean": "$ctx.args.j.getS()", "isBean": "$ctx.args.j.isS()", "int": $ctx.args.f.intValue(), "str": "$ctx.args.n.toString()", "mapStr": "$ctx.args.j.toString()", "missing": "$ctx.args.missing.size()", "empty": $ctx.args.e.isEmpty(), "eq": $ctx.args.a.equalsIgnoreCase("HI"), "entries": $util.toJson($ctx.args.j.x.entrySet()), "values": $util.toJson($ctx.args.j.nested.values()), "sub3": $util.toJson($ctx.args.j.list.subList(1, 3)), "concat": "$ctx.args.a.concat($ctx.args.j.s)", "chained": "$ctx.args.j.get(\'nested\').get(\'deep\').get(0).k.trim().length()", "now": $nowOk }',
      ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a guard not taken: #if($ctx.error) with $util.error',
    request: none('$util.toJson($ctx.args.l)'),
    response:
      '#if($ctx.error)\n  $util.error($ctx.error.message, $ctx.error.type)\n#end\n#if($ctx.args.missing)#foreach($x in $ctx.result)$x#end#end\n$util.toJson($ctx.result)',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a guard taken: $util.error in an #if whose test holds',
    request: '#if($ctx.args.b)\n$util.error("boom", "Custom", $ctx.args.j)\n#end\n' + none('1'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a guard taken in an #else',
    request: '#if($ctx.args.missing)1#else#foreach($x in [1..2])#end#end\n' + none('1'),
    where: 'fallback',
    args: ARGS,
  },

  // ---- handed to the sandbox at run time (the sandbox gives the answer or the error)
  {
    name: 'a rendering that is not JSON: the sandbox words the MappingTemplate error',
    request: none('{ "a": $ctx.args.missing }'),
    where: 'fallback',
    args: ARGS,
  },
  { name: 'trailing characters after the JSON', request: none('1') + ' }', where: 'fallback', args: ARGS },
  { name: '+ of a string and a number', request: '#set($x = $ctx.args.a + $ctx.args.n)\n' + none('"$x"'), where: 'fallback', args: ARGS },
  { name: 'a member a built-in prototype has', request: none('"$ctx.args.j.toString"'), where: 'fallback', args: ARGS },
  {
    name: 'a helper that throws ($util.parseJson of text that is not JSON)',
    request: none('$util.toJson($util.parseJson("{bad"))'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a 2017-02-28 request template',
    request: '{ "version": "2017-02-28", "payload": null }',
    response: '{ "ran": true }',
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a result over sandbox.maxResultChars (ResultTooLarge)',
    request: '#set($s = "0123456789012345678901234567890123456789")\n' + DOUBLED(7, '#set($s = "$s$s")') + '\n' + none('"$s"'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a string doubled 40 times: the 5 MB limit, as the sandbox reports it',
    request: '#set($s = "0123456789012345678901234567890123456789012345678901234567890123456789")\n' + DOUBLED(40, '#set($s = "$s$s")') + '\n' + none('"$s"'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a map doubled 40 times printed: the budget, then the sandbox',
    request:
      '#set($m = {"k": 1})\n' +
      DOUBLED(40, '#set($m = {"a": $m, "b": $m})') +
      '\n' +
      none('$util.toJson($m.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.b)'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a map doubled 40 times given to a helper: the budget, then the sandbox',
    request: '#set($m = {"k": 1})\n' + DOUBLED(40, '#set($m = {"a": $m, "b": $m})') + '\n' + none('$util.isMap($m)'),
    where: 'fallback',
    args: ARGS,
  },

  // ---- refused at load
  { name: '$util.error at the top level (acts on the run)', request: '$util.error("boom", "Custom", $ctx.args.j)\n' + none('1'), where: 'sandbox', args: ARGS },
  {
    name: 'a Java method that changes a value the run did not make (an argument): the sandbox changes it',
    request: '$util.qr($ctx.args.l.add("z"))\n' + none('$util.toJson($ctx.args.l)'),
    where: 'fallback',
    args: ARGS,
  },
  { name: 'a Java method with a regular expression', request: none('$util.toJson($ctx.args.a.matches("h.*"))'), where: 'sandbox', args: ARGS },
  { name: '#set of a path other than the stash', request: '#set($m = {})\n#set($m.x = 1)\n' + none('$util.toJson($m)'), where: 'sandbox', args: ARGS },
  { name: 'a range', request: none('$util.toJson([1..3])'), where: 'sandbox', args: ARGS },
  { name: 'a macro', request: '#macro(twice $v)$v$v#end\n' + none('"#twice($ctx.args.a)"'), where: 'sandbox', args: ARGS },
  {
    name: 'only the response template outside the subset',
    request: none('1'),
    response: '$util.toJson($util.list.sortList($ctx.args.l, true, ""))',
    where: 'sandbox',
    args: ARGS,
  },

  // ---- #foreach, #break, Java mutators and the stash (what Amplify's generated templates use)
  {
    name: '#foreach over a list: $velocityCount, $foreach.index/count/first/last, hasNext as a property and a method',
    request: none(
      '[#foreach($x in $ctx.args.l){ "v": "$x", "c": $velocityCount, "i": $foreach.index, "n": $foreach.count, "h": $foreach.hasNext, "h2": $foreach.hasNext(), "f": $foreach.first, "l": $foreach.isLast(), "s": "$foreach" }#if($foreach.hasNext),#end#end]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "#foreach over a map (its values) and over entrySet() with $e.key / $e.value, put into the template's own map",
    request:
      '#set($m = {})\n#foreach($e in $ctx.args.j.entrySet())$util.qr($m.put("k$velocityCount", $e.key))$util.qr($m.put("t$velocityCount", $util.typeOf($e.value)))#end\n' +
      none('{ "m": $util.toJson($m), "vals": [#foreach($v in $ctx.args.j)"$util.typeOf($v)"#if($foreach.hasNext),#end#end] }'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '#break: the text before it is kept, the loop ends, the template goes on',
    request: '#set($out = [])\n' + none('[#foreach($x in [1, 2, 3, 4])"a$x",#if($x == 2)#break#end$util.qr($out.add($x))#end"end", $util.toJson($out)]'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'nested loops: the inner $foreach and $velocityCount shadow the outer ones, #break ends only the inner; the loop variable is gone after',
    request: none(
      '[#foreach($a in [1, 2])#foreach($b in ["x", "y", "z"])#if($b == "z")#break#end"$a$b$velocityCount",#end"o$velocityCount$foreach.hasNext",#end"$a", "$b"]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '#foreach over a string, a number, null, a missing value and "": no iteration',
    request: none(
      '[#foreach($x in $ctx.args.a)1,#end#foreach($x in $ctx.args.n)2,#end#foreach($x in $ctx.args.missing)3,#end#foreach($x in $ctx.args.e)4,#end 0]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a loop variable named as a #set variable: the loop has its own, the #set one is back after',
    request: '#set($x = "outer")\n' + none('[#foreach($x in ["a", "b"])"$x",#end"$x"]'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a loop over a list its body adds to: the list is read live',
    request: '#set($l = [1])\n#foreach($x in $l)#if($l.size() < 5)#set($y = $x + 1)$util.qr($l.add($y))#end#end\n' + none('$util.toJson($l)'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "Java mutators on the template's own maps and lists: results, void methods rendered as nothing",
    request:
      '#set($m = {"a": 1})\n#set($old = $m.put("a", 2))\n#set($none = $m.put("b", 3))\n$util.qr($m.putAll({"c": 4, "a": 5}))\n#set($r = $m.remove("b"))\n#set($r2 = $m.remove("zz"))\n' +
      '#set($l = ["x"])\n#set($ok = $l.add("y"))\n$util.qr($l.add(0, "w"))\n$util.qr($l.addAll(["z", "z"]))\n#set($was = $l.set(1, "X"))\n#set($gone = $l.remove("z"))\n#set($gone2 = $l.remove(0))\n#set($no = $l.remove("q"))\n' +
      '#set($c = {"k": 1})\n#set($cl = [1])\n' +
      none(
        '{ "m": $util.toJson($m), "old": $old, "none": $util.toJson($none), "r": $r, "r2": $util.toJson($r2), "l": $util.toJson($l), "ok": $ok, "was": "$was", "gone": $gone, "gone2": "$gone2", "no": $no, "void": "$c.clear()$cl.clear()", "c": $util.toJson($c), "cl": $util.toJson($cl), "printed": "$l.add(\'q\')" }',
      ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a mutator on a string, a number and a missing value: no such method, the reference prints as written',
    request: none('{ "s": "$ctx.args.a.put(1, 2)", "n": "$ctx.args.n.add(1)", "m": "$!ctx.args.missing.add(1)" }'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a mutator given a key a built-in prototype has: the sandbox decides',
    request: '#set($m = {})\n$util.qr($m.put("toString", 1))\n' + none('$util.toJson($m)'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a list set() past its end: the sandbox decides',
    request: '#set($l = [1])\n#set($was = $l.set(3, 2))\n' + none('$util.toJson($l)'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a mutator on the identity (shared by the request): the sandbox changes its own copy',
    request:
      '#set($i = $util.defaultIfNull($ctx.identity, {}))\n$util.qr($ctx.request.headers.put("x-differential", "changed"))\n' +
      none('$util.toJson($ctx.request.headers.get("x-differential"))'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: "the response's own ctx.result changed with put (Amplify's mutation responses), and the stash written with put and #set",
    request: '$util.qr($ctx.stash.put("typeName", "Mutation"))\n#set($ctx.stash.n = $ctx.args.n)\n' + none('{ "id": "i1", "tags": ["a"] }'),
    response:
      '$util.qr($ctx.result.put("__operation", $ctx.stash.typeName))\n$util.qr($ctx.stash.put("seen", true))\n{ "r": $util.toJson($ctx.result), "s": $util.toJson($ctx.stash) }',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '$util.list and $util.map copies',
    request: none(
      '{ "rm": $util.toJson($util.list.copyAndRemoveAll(["a", "b", "a", 1], ["a", 1])), "keep": $util.toJson($util.list.copyAndRetainAll($ctx.args.l, ["y", "q"])), "mk": $util.toJson($util.map.copyAndRetainAllKeys($ctx.args.j, ["s", "x"])), "mr": $util.toJson($util.map.copyAndRemoveAllKeys($ctx.args.j, ["s"])), "bad": $util.toJson($util.list.copyAndRemoveAll("a", ["a"])) }',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'loops past the evaluation budget: the sandbox renders them',
    request:
      '#set($n = 0)\n#foreach($a in [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19])#foreach($b in [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19])#foreach($c in [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19])#foreach($d in [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19])#set($n = $n + 1)#end#end#end#end\n' +
      none('$n'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: "a #foreach over more than AppSync's 1,000 items: the sandbox reports the MappingTemplate error",
    request:
      '#set($big = [])\n#foreach($a in [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19])#foreach($b in [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19])#foreach($c in [1, 2, 3])$util.qr($big.add($c))#end#end#end\n#foreach($x in $big)#end\n' +
      none('1'),
    where: 'fallback',
    args: ARGS,
  },
  { name: '#break outside a #foreach', request: '#set($x = 1)#break\n' + none('1'), where: 'sandbox', args: ARGS },
  {
    name: '#set of the loop variable inside its loop: the body is a guard, the sandbox renders the loop',
    request: none('[#foreach($x in [1, 2])#set($x = 3)"$x",#end 0]'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: '#set of the loop variable in a loop over nothing: the guard is not reached',
    request: none('[#foreach($x in [])#set($x = 3)#end 0]'),
    where: 'gateway',
    args: ARGS,
  },

  // ---- the embedded DynamoDB: the item v1, written then read back (once each, or the answers differ)
  {
    name: 'PutItem with toMapValuesJson',
    mutation: true,
    ds: 'ddb',
    request:
      '{ "version": "2018-05-29", "operation": "PutItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") }, "attributeValues": $util.dynamodb.toMapValuesJson({"title": $ctx.args.a, "n": $ctx.args.n, "tags": $ctx.args.l}), "condition": { "expression": "attribute_not_exists(id)" } }',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'the same PutItem again: the condition fails, the response reads $ctx.error',
    mutation: true,
    ds: 'ddb',
    request:
      '{ "version": "2018-05-29", "operation": "PutItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") }, "attributeValues": {}, "condition": { "expression": "attribute_not_exists(id)" } }',
    response: '{ "error": $util.toJson($ctx.error), "result": $util.toJson($ctx.result) }',
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "the same PutItem, and an Amplify-style error guard in the response: taken, the sandbox answers from the data source's answer",
    mutation: true,
    ds: 'ddb',
    request:
      '{ "version": "2018-05-29", "operation": "PutItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") }, "attributeValues": {}, "condition": { "expression": "attribute_not_exists(id)" } }',
    response: '#if($ctx.error)\n  $util.error($ctx.error.message, $ctx.error.type)\n#end\n$util.toJson($ctx.result)',
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'GetItem, a response built field by field',
    ds: 'ddb',
    request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }',
    response:
      '#set($item = $ctx.result)\n#set($twice = $item.n * 2)\n#if($util.isNull($item))null#else{ "title": "$item.title", "n": $item.n, "tags": $util.toJson($item.tags), "twice": $twice }#end',
    where: 'gateway',
  },
];

/** A pipeline: its own templates (absent: no before and after), and its functions, VTL or (with `code`) APPSYNC_JS. */
interface Pipe {
  name: string;
  before?: string;
  after?: string;
  functions: Array<{ ds?: 'none' | 'ddb'; request?: string; response?: string; code?: string }>;
  where: Where;
  args?: string;
  mutation?: boolean;
}

const PIPES: Pipe[] = [
  {
    name: 'VTL before and after around two VTL functions on NONE',
    before: '{ "started": $util.toJson($ctx.args.a) }',
    after: '{ "after": $util.toJson($ctx.prev.result), "result": $util.toJson($ctx.result), "stash": $util.toJson($ctx.stash) }',
    functions: [
      { request: none('{ "prev": $util.toJson($ctx.prev.result), "n": $ctx.args.n }') },
      { request: none('{ "twice": $util.toJson($ctx.prev.result) }'), response: '#set($r = $ctx.result)\n{ "n": $r.twice.n, "prevN": $ctx.prev.result.n }' },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'no templates of its own; #return in a function skips its data source and response',
    functions: [
      { request: '#if($ctx.args.b)#return({"early": $ctx.args.n})#end\n' + none('1'), response: '{ "not": "reached" }' },
      { request: none('{ "got": $util.toJson($ctx.prev.result) }') },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: '#return in the before template goes to the after template',
    before: '#return({"skipped": true})',
    after: '$util.toJson($ctx.prev.result)',
    functions: [{ request: none('"not reached"') }],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'VTL and APPSYNC_JS functions mixed',
    functions: [
      { request: none('{ "a": $util.toJson($ctx.args.a) }') },
      {
        code: "export function request(ctx) {\n  return { payload: { js: ctx.prev.result.a + '!' } };\n}\nexport function response(ctx) {\n  return ctx.result;\n}\n",
      },
      { request: none('{ "vtl": "$ctx.prev.result.js" }') },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a VTL function on DynamoDB, then one on NONE',
    functions: [
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      { request: none('{ "title": "$ctx.prev.result.title", "tags": $util.toJson($ctx.prev.result.tags) }') },
    ],
    where: 'gateway',
  },
  {
    name: 'a guard taken in a function after DynamoDB: the sandbox goes on from there',
    functions: [
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      { request: '#if($ctx.prev.result)\n$util.error("found", "Found", $ctx.prev.result)\n#end\n' + none('1') },
    ],
    where: 'fallback',
  },
  {
    name: "Amplify's shape: the before template fills the stash, NONE functions check it, a DynamoDB function builds its request with put, the response puts into ctx.result",
    before:
      '$util.qr($ctx.stash.put("typeName", "Query"))\n$util.qr($ctx.stash.put("conditions", []))\n$util.qr($ctx.stash.put("metadata", {}))\n$util.qr($ctx.stash.metadata.put("dataSourceType", "AMAZON_DYNAMODB"))\n$util.toJson({})',
    after: '{ "prev": $util.toJson($ctx.prev.result), "stash": $util.toJson($ctx.stash) }',
    functions: [
      {
        request:
          '$util.qr($ctx.stash.put("hasAuth", true))\n#set($isAuthorized = false)\n#if($util.authType() == "API Key Authorization")\n  #set($isAuthorized = true)\n#end\n#if(!$isAuthorized)\n$util.unauthorized()\n#end\n$util.toJson({"version":"2018-05-29","payload":{}})',
      },
      { request: '#if(!$ctx.stash.get("hasAuth"))\n  $util.unauthorized()\n#end\n$util.toJson({})' },
      {
        ds: 'ddb',
        request:
          '#set($GetRequest = {"version": "2018-05-29", "operation": "GetItem"})\n#set($key = {"id": $util.dynamodb.toDynamoDB("v1")})\n$util.qr($GetRequest.put("key", $key))\n$util.qr($ctx.stash.conditions.add({"id": {"attributeExists": true}}))\n$util.toJson($GetRequest)',
        response:
          '$util.qr($ctx.result.put("__operation", "Query"))\n#if($ctx.error)\n  $util.error($ctx.error.message, $ctx.error.type)\n#end\n$util.toJson($ctx.result)',
      },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'the stash written, DynamoDB called, a guard taken in the response: the sandbox run opened there is given the stash',
    functions: [
      { request: '$util.qr($ctx.stash.put("m", {"k": [1, "two", true, null, 2.5], "e": {}}))\n#set($ctx.stash.n = 3)\n' + none('1') },
      {
        ds: 'ddb',
        request:
          '$util.qr($ctx.stash.put("before", "call"))\n{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }',
        response:
          '$util.qr($ctx.stash.put("partly", "done"))\n#if($ctx.result)$util.appendError("found", "Found", $ctx.stash.m)#end\n{ "r": $util.toJson($ctx.result.title), "s": $util.toJson($ctx.stash) }',
      },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'the stash written after the call, a later function hands over: it is given the stash as that function found it',
    functions: [
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      {
        request: '$util.qr($ctx.stash.put("after", $ctx.prev.result.title))\n' + none('1'),
        response: '$util.qr($ctx.stash.put("res", [$ctx.result]))\n$util.toJson($ctx.result)',
      },
      { request: '$util.qr($ctx.stash.put("third", 3))\n#if($ctx.stash.after)$util.appendError("x", "X")#end\n' + none('$util.toJson($ctx.stash)') },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    // A run handed over with a stash is opened from another build of its context than a run opened
    // without one (execute.ts #openRun): every member of ctx, read after the hand-over, must be what a run
    // opened from its pieces (runParts.ts, the sandbox's templates of recurring pieces) reads.
    name: 'every ctx member, read in the sandbox after a hand-over that carries the stash',
    functions: [
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      { request: '$util.qr($ctx.stash.put("carried", {"list": [1, "two", null], "map": {}}))\n' + none('1') },
      {
        request:
          '#if($ctx.args.b)$util.appendError("x", "X")#end\n' +
          none(
            '{ "identity": $util.toJson($ctx.identity), "source": $util.toJson($ctx.source), "header": $util.toJson($ctx.request.headers["x-differential"]), "headerNames": $util.toJson($ctx.request.headers.keySet()), "domain": $util.toJson($ctx.request.domainName), "info": $util.toJson($ctx.info), "list": $util.toJson($ctx.info.selectionSetList), "gql": $util.toJson($ctx.info.selectionSetGraphQL), "variables": $util.toJson($ctx.info.variables), "env": $util.toJson($ctx.env), "prev": $util.toJson($ctx.prev), "stash": $util.toJson($ctx.stash), "arguments": $util.toJson($ctx.arguments), "args": $util.toJson($ctx.args) }',
          ),
      },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'an argument put into the stash before DynamoDB (JSON would not keep it shared): the whole run goes to the sandbox before the call',
    functions: [
      { request: '$util.qr($ctx.stash.put("in", $ctx.args.j))\n' + none('1') },
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      { request: none('$util.toJson($ctx.stash)') },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'one map put twice into the stash after the call, then a hand-over: the function that shared it runs again in the sandbox',
    functions: [
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      { request: '#set($m = {})\n$util.qr($ctx.stash.put("a", $m))\n$util.qr($ctx.stash.put("b", $m))\n' + none('1') },
      { request: '$util.qr($ctx.stash.a.put("k", 2))\n#if($ctx.args.b)$util.appendError("x", "X")#end\n' + none('$util.toJson($ctx.stash)') },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a stash value JSON would drop (undefined) before the call: the whole run goes to the sandbox',
    functions: [
      { request: '$util.qr($ctx.stash.put("u", $ctx.args.missing))\n' + none('1') },
      { ds: 'ddb', request: '{ "version": "2018-05-29", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson("v1") } }' },
      {
        request:
          '#if($ctx.args.b)$util.appendError("x", "X")#end\n' + none('{ "has": $ctx.stash.containsKey("u"), "keys": $util.toJson($ctx.stash.keySet()) }'),
      },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: "a mutator on ctx.prev.result (not the function's own): the sandbox changes its own copy",
    functions: [{ request: none('{ "a": 1 }') }, { request: '$util.qr($ctx.prev.result.put("b", 2))\n' + none('$util.toJson($ctx.prev.result)') }],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a VTL function writing the stash with $ctx.stash.put',
    functions: [{ request: '$util.qr($ctx.stash.put("k", $ctx.args.a))\n' + none('$util.toJson($ctx.stash)') }],
    where: 'gateway',
    args: ARGS,
  },
];

const field = (i: number) => `v${i}`;
const pipeField = (i: number) => `w${i}`;
const FIELD_ARGS = '(a: String, n: Int, f: Float, b: Boolean, e: String, z: Int, l: [String], j: AWSJSON)';

function config(table: string): { config: GatewayConfig; files: Record<string, string> } {
  const files: Record<string, string> = {};
  const queries: string[] = [];
  const mutations: string[] = [];
  const resolvers: Record<string, unknown> = {};
  ROWS.forEach((row, i) => {
    files[`resolvers/${field(i)}.request.vtl`] = row.request;
    if (row.response !== undefined) files[`resolvers/${field(i)}.response.vtl`] = row.response;
    (row.mutation ? mutations : queries).push(`${field(i)}${FIELD_ARGS}: ${row.type ?? 'AWSJSON'}`);
    resolvers[`${row.mutation ? 'Mutation' : 'Query'}.${field(i)}`] = {
      kind: 'UNIT',
      dataSource: row.ds ?? 'none',
      request: `resolvers/${field(i)}.request.vtl`,
      ...(row.response !== undefined ? { response: `resolvers/${field(i)}.response.vtl` } : {}),
    };
  });
  const pipelineFunctions: Record<string, unknown> = {};
  PIPES.forEach((pipe, i) => {
    const names = pipe.functions.map((fn, j) => {
      const name = `${pipeField(i)}f${j}`;
      const ds = fn.ds ?? 'none';
      if (fn.code !== undefined) {
        files[`functions/${name}.js`] = fn.code;
        pipelineFunctions[name] = { dataSource: ds, code: `functions/${name}.js` };
        return name;
      }
      files[`functions/${name}.request.vtl`] = fn.request!;
      if (fn.response !== undefined) files[`functions/${name}.response.vtl`] = fn.response;
      pipelineFunctions[name] = {
        dataSource: ds,
        request: `functions/${name}.request.vtl`,
        ...(fn.response !== undefined ? { response: `functions/${name}.response.vtl` } : {}),
      };
      return name;
    });
    if (pipe.before !== undefined) files[`resolvers/${pipeField(i)}.before.vtl`] = pipe.before;
    if (pipe.after !== undefined) files[`resolvers/${pipeField(i)}.after.vtl`] = pipe.after;
    (pipe.mutation ? mutations : queries).push(`${pipeField(i)}${FIELD_ARGS}: AWSJSON`);
    resolvers[`${pipe.mutation ? 'Mutation' : 'Query'}.${pipeField(i)}`] = {
      kind: 'PIPELINE',
      functions: names,
      ...(pipe.before !== undefined ? { request: `resolvers/${pipeField(i)}.before.vtl` } : {}),
      ...(pipe.after !== undefined ? { response: `resolvers/${pipeField(i)}.after.vtl` } : {}),
    };
  });
  files['schema.graphql'] = `type Query {\n  ${queries.join('\n  ')}\n}\ntype Mutation {\n  ${mutations.join('\n  ')}\n}\n`;
  return {
    files,
    // A time limit no row is about: the loop rows make the sandbox work for a while, on a loaded machine too.
    config: { ...differentialConfig(table, { resolvers, pipelineFunctions }), sandbox: { maxResultChars: 4096, timeoutMs: 10_000 } } as GatewayConfig,
  };
}

describe('VTL templates evaluated in the gateway answer exactly as the sandbox does', () => {
  let on: TestGateway;
  let off: TestGateway;
  const lines: Line[] = [];
  const capture = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  beforeAll(async () => {
    on = await startTestGateway({ ...config('vtlDifferentialOn'), options: { logger: { debug: capture, info: capture, warn: capture, error: capture } } });
    off = await startTestGateway({ ...config('vtlDifferentialOff'), options: { sandbox: { evaluateSimpleHandlers: false } } });
  }, 120_000);

  it('counts the evaluated VTL resolvers in /health and the load log, and none when switched off', async () => {
    const eligible = ROWS.filter((r) => r.where !== 'sandbox').length;
    const eligiblePipes = PIPES.filter((r) => r.where !== 'sandbox').length;
    const health = await (await fetch(`${on.origin}/health`)).json();
    expect(health.sandbox.evaluatedInGateway).toBe(eligible + eligiblePipes);
    expect(lines.some((l) => l.message.includes(`and ${eligiblePipes} of ${PIPES.length} pipeline resolvers are evaluated in the gateway`))).toBe(true);
    expect((await (await fetch(`${off.origin}/health`)).json()).sandbox.evaluatedInGateway).toBe(0);
    expect(lines.some((l) => l.message.startsWith(`${eligible} of ${ROWS.length} VTL unit resolvers are evaluated in the gateway`))).toBe(true);
    expect(lines.filter((l) => l.message.startsWith('resolver ') && l.message.includes(' runs in the sandbox: '))).toHaveLength(
      ROWS.length - eligible + PIPES.length - eligiblePipes,
    );
    expect(lines.filter((l) => l.message.includes('failed'))).toEqual([]);
  });

  const cases = [
    ...ROWS.map((row, i) => ({ ...row, field: field(i), kind: 'unit' })),
    ...PIPES.map((pipe, i) => ({ ...pipe, field: pipeField(i), kind: 'pipeline', selection: undefined })),
  ];
  cases.forEach((row) => {
    it(`${row.kind}: ${row.name} (${row.where})`, async () => {
      await expectSameAnswer(on, off, lines, row);
    });
  });
});
