/*
 * Unit tests for parse/jmespath.c.  The table was produced by running each expression
 * through the Python jmespath package 0.10.0 (StreamAlert's pin) on the document, and
 * holds its result as compact JSON, "!compile" where jmespath.py rejects the expression,
 * or "!E<CODE>" where it raises during evaluation.  The categories follow the JMESPath
 * compliance suite: basic, identifiers, indices, slices, wildcards, flatten, multiselect,
 * filters, pipes, literals, functions, boolean logic, syntax errors.  Where vigil
 * deliberately differs from jmespath.py, the hand-written tests below say so.
 */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/jmespath.h"
#include "test.h"

struct jpcase {
    const char *expr;
    int doc;            /* index in docs[] */
    const char *expect; /* compact JSON, "!compile" or "!E<CODE>" */
};

static const char *const docs[] = {
    /* 0 */ "{\"foo\":{\"bar\":{\"baz\":\"correct\"},\"qux\":null},\"a\":1}",
    /* 1 */ "{\"a\":[{\"b\":1}]}",
    /* 2 */ "[1,2]",
    /* 3 */ "\"str\"",
    /* 4 */ "null",
    /* 5 */ "{\"with space\":1}",
    /* 6 */ "{\"\\\"\":2}",
    /* 7 */ "{\"\\\\\":3}",
    /* 8 */ "{\"_x1\":4}",
    /* 9 */ "{\"1\":5}",
    /* 10 */ "{\"\\u00e9\":6}",
    /* 11 */ "{\"\\u00e9\":7}",
    /* 12 */ "{\"foo\":{\"bar\":[\"zero\",\"one\",\"two\"]},\"n\":[[0,1],[2,3],[4,5,[6,7]]]}",
    /* 13 */ "[0,1,2,3,4,5,6,7,8,9]",
    /* 14 */ "{\"foo\":[{\"a\":1},{\"a\":2},{\"a\":3}]}",
    /* 15 */ "{\"foo\":[{\"a\":1},{\"b\":2},{\"a\":3}]}",
    /* 16 */ "{\"foo\":\"abcdef\"}",
    /* 17 */ "{\"foo\":{\"a\":1}}",
    /* 18 */
    "{\"foo\":[{\"bar\":1,\"baz\":[1,2]},{\"bar\":2,\"baz\":[3]},{\"x\":3},\"str\",null"
    "],\"obj\":{\"a\":{\"v\":1},\"b\":{\"v\":2},\"c\":{\"w\":3},\"d\":null},\"nested\":"
    "[[{\"a\":1},{\"a\":2}],[{\"a\":3}]]}",
    /* 19 */ "[null,1,null]",
    /* 20 */ "[{\"a\":null},{\"a\":1}]",
    /* 21 */ "{\"a\":null,\"b\":1}",
    /* 22 */ "[]",
    /* 23 */ "{\"a\":1}",
    /* 24 */
    "{\"logEvents\":[{\"id\":\"1\",\"message\":\"m1\"},{\"id\":\"2\",\"message\":\"{\\"
    "\"x\\\": 1}\"},{\"id\":\"3\"}]}",
    /* 25 */ "{\"Records\":[{\"a\":1},{\"b\":2}]}",
    /* 26 */ "{\"a\":[{\"b\":[1,2]},{\"b\":[3]},{\"c\":1}]}",
    /* 27 */
    "{\"data\":{\"items\":[{\"value\":1},{\"value\":null},{\"value\":0},{\"value\":fals"
    "e}]}}",
    /* 28 */ "[1,[2,3],[[4]],null,[]]",
    /* 29 */ "[1,[2,[3,[4]]]]",
    /* 30 */ "{\"foo\":[[1,2],3,[null]]}",
    /* 31 */ "{\"foo\":[[{\"bar\":1}],{\"bar\":2},[{\"baz\":3}]]}",
    /* 32 */ "{\"foo\":\"x\"}",
    /* 33 */ "{\"foo\":[[1,2],[3]]}",
    /* 34 */ "[{\"a\":1},[{\"a\":2}]]",
    /* 35 */ "{\"foo\":[[[1],2],[[3]]]}",
    /* 36 */ "{\"foo\":[[1]]}",
    /* 37 */
    "{\"foo\":{\"bar\":\"bar\",\"baz\":\"baz\",\"qux\":\"qux\",\"nested\":{\"one\":{\"a"
    "\":\"first\"},\"two\":{\"a\":\"second\"}}},\"list\":[{\"a\":1,\"b\":2},{\"a\":3}]}",
    /* 38 */
    "{\"people\":[{\"name\":\"a\",\"age\":10,\"tags\":[\"x\"]},{\"name\":\"b\",\"age\":"
    "20,\"tags\":[]},{\"name\":\"c\",\"age\":null},{\"name\":\"d\",\"age\":30.5,\"flag"
    "\":true}],\"nums\":[0,1,2,1.0,true,false,null,\"1\",[],{},0.0],\"strs\":[\"a\",\"b"
    "\",\"ab\",\"B\",\"\"]}",
    /* 39 */ "{\"people\":[{\"name\":\"a\",\"age\":20},{\"name\":\"e\",\"age\":\"old\"}]}",
    /* 40 */ "{\"foo\":[{\"bar\":10,\"baz\":1},{\"bar\":11},{\"bar\":10}]}",
    /* 41 */
    "[{\"a\":1,\"b\":1},{\"a\":1,\"b\":2},{\"a\":[1],\"b\":[1]},{\"a\":{\"x\":1},\"b\":"
    "{\"x\":1}},{}]",
    /* 42 */
    "[{\"a\":1,\"b\":2},{\"a\":\"a\",\"b\":\"b\"},{\"a\":1,\"b\":1.5},{\"a\":true,\"b\""
    ":2},{\"a\":null,\"b\":1}]",
    /* 43 */ "[{\"a\":1,\"b\":\"x\"}]",
    /* 44 */
    "[{\"a\":9223372036854775808},{\"a\":1e+19},{\"a\":9.2e+18},{\"a\":1234567890123456"
    "78901234567890}]",
    /* 45 */
    "{\"foo\":{\"bar\":{\"baz\":\"one\"},\"other\":{\"baz\":\"two\"}},\"arr\":[[1,2],[3"
    "]]}",
    /* 46 */ "{\"foo\":\"bar\"}",
    /* 47 */
    "{\"n\":[3,1,2],\"f\":[1.5,-2.5,3],\"s\":[\"b\",\"a\",\"c\"],\"mixed\":[1,\"a\"],\""
    "e\":[],\"o\":{\"b\":2,\"a\":1},\"o2\":{\"a\":3,\"c\":4},\"str\":\"Hello\",\"num\":"
    "-5,\"fl\":-2.7,\"big\":123456789012345678901234567890,\"negbig\":-1234567890123456"
    "78901234567890,\"nan\":null,\"t\":true,\"people\":[{\"name\":\"x\",\"age\":30},{\""
    "name\":\"y\",\"age\":25},{\"name\":\"z\",\"age\":30}],\"uni\":\"h\\u00e9llo\\u2713"
    "\\ud83d\\ude00\",\"z\":0,\"nums_as_str\":[\"1\",\" 2 \",\"1.5\",\"x\",\"1e3\",\"1_"
    "0\",\"nan\",\"inf\",\"0x10\"],\"ints\":[9223372036854775807,1],\"neg\":[-922337203"
    "6854775808,-1]}",
    /* 48 */
    "{\"t\":true,\"f\":false,\"z\":0,\"zf\":0.0,\"e\":\"\",\"ea\":[],\"eo\":{},\"n\":nu"
    "ll,\"s\":\"x\",\"one\":1}",
    /* 49 */ "{\"a\":{\"b\":[1,2]},\"foo\":1}",
};

static const struct jpcase cases[] = {
    {"foo", 0, "{\"bar\":{\"baz\":\"correct\"},\"qux\":null}"},
    {"foo.bar", 0, "{\"baz\":\"correct\"}"},
    {"foo.bar.baz", 0, "\"correct\""},
    {"foo.bar.baz.bad", 0, "null"},
    {"foo.qux", 0, "null"},
    {"foo.qux.x", 0, "null"},
    {"bad", 0, "null"},
    {"bad.morebad", 0, "null"},
    {"a", 0, "1"},
    {"a.b", 0, "null"},
    {"@", 0, "{\"foo\":{\"bar\":{\"baz\":\"correct\"},\"qux\":null},\"a\":1}"},
    {"@.foo", 0, "{\"bar\":{\"baz\":\"correct\"},\"qux\":null}"},
    {"foo.@", 0, "!compile"},
    {"\"foo\"", 0, "{\"bar\":{\"baz\":\"correct\"},\"qux\":null}"},
    {"\"foo\".\"bar\"", 0, "{\"baz\":\"correct\"}"},
    {"foo.\"bar\".baz", 0, "\"correct\""},
    {"\"\"", 0, "null"},
    {"\"f\\u006fo\"", 0, "{\"bar\":{\"baz\":\"correct\"},\"qux\":null}"},
    {"\"foo\\\"", 0, "!compile"},
    {"\"a b\"", 0, "null"},
    {"foo..bar", 0, "!compile"},
    {"foo.", 0, "!compile"},
    {".foo", 0, "!compile"},
    {"foo.1", 0, "!compile"},
    {"foo.-1", 0, "!compile"},
    {"foo bar", 0, "!compile"},
    {"foo\n.bar", 0, "{\"baz\":\"correct\"}"},
    {" foo \t", 0, "{\"bar\":{\"baz\":\"correct\"},\"qux\":null}"},
    {"\"\\ud83d\\ude00\"", 0, "null"},
    {"a.b.c", 1, "null"},
    {"a", 2, "null"},
    {"a", 3, "null"},
    {"a", 4, "null"},
    {"\"with space\"", 5, "1"},
    {"\"\\\"\"", 6, "2"},
    {"\"\\\\\"", 7, "3"},
    {"_x1", 8, "4"},
    {"\"1\"", 9, "5"},
    {"\"\303\251\"", 10, "6"},
    {"\"\\u00e9\"", 11, "7"},
    {"foo.bar[0]", 12, "\"zero\""},
    {"foo.bar[2]", 12, "\"two\""},
    {"foo.bar[3]", 12, "null"},
    {"foo.bar[-1]", 12, "\"two\""},
    {"foo.bar[-3]", 12, "\"zero\""},
    {"foo.bar[-4]", 12, "null"},
    {"foo[0]", 12, "null"},
    {"n[0][1]", 12, "1"},
    {"n[2][2][0]", 12, "6"},
    {"n[2][2][0][0]", 12, "null"},
    {"[0]", 12, "null"},
    {"foo.bar[99999999999999999999]", 12, "null"},
    {"foo.bar[-99999999999999999999]", 12, "null"},
    {"foo.bar[ 1 ]", 12, "\"one\""},
    {"foo.bar[1", 12, "!compile"},
    {"foo.bar[a]", 12, "!compile"},
    {"foo.bar[-]", 12, "!compile"},
    {"foo.bar[01]", 12, "\"one\""},
    {"n[0][0:1]", 12, "[0]"},
    {"n[0][0:1].x", 12, "null"},
    {"n[1:][0]", 12, "[2,4]"},
    {"[0:5]", 13, "[0,1,2,3,4]"},
    {"[5:10]", 13, "[5,6,7,8,9]"},
    {"[::2]", 13, "[0,2,4,6,8]"},
    {"[::-1]", 13, "[9,8,7,6,5,4,3,2,1,0]"},
    {"[1::2]", 13, "[1,3,5,7,9]"},
    {"[-3:]", 13, "[7,8,9]"},
    {"[:-3]", 13, "[0,1,2,3,4,5,6]"},
    {"[10:]", 13, "[]"},
    {"[:100]", 13, "[0,1,2,3,4,5,6,7,8,9]"},
    {"[-100:]", 13, "[0,1,2,3,4,5,6,7,8,9]"},
    {"[8:2:-2]", 13, "[8,6,4]"},
    {"[2:8:-1]", 13, "[]"},
    {"[::-3]", 13, "[9,6,3,0]"},
    {"[0:10:3]", 13, "[0,3,6,9]"},
    {"[:]", 13, "[0,1,2,3,4,5,6,7,8,9]"},
    {"[::]", 13, "[0,1,2,3,4,5,6,7,8,9]"},
    {"[1:2:3:]", 13, "!compile"},
    {"[1:2:3:4]", 13, "!compile"},
    {"[-1:-5:-1]", 13, "[9,8,7,6]"},
    {"[5:1]", 13, "[]"},
    {"[99999999999999999999:]", 13, "[]"},
    {"[:-99999999999999999999:-1]", 13, "[9,8,7,6,5,4,3,2,1,0]"},
    {"[0:3].foo", 13, "[]"},
    {"[0:3][0]", 13, "[]"},
    {"foo[:2].a", 14, "[1,2]"},
    {"foo[::-1].a", 15, "[3,1]"},
    {"foo[:2]", 16, "null"},
    {"foo[:2]", 17, "null"},
    {"[:2]", 4, "null"},
    {"foo[*]", 18, "[{\"bar\":1,\"baz\":[1,2]},{\"bar\":2,\"baz\":[3]},{\"x\":3},\"str\"]"},
    {"foo[*].bar", 18, "[1,2]"},
    {"foo[*].baz", 18, "[[1,2],[3]]"},
    {"foo[*].baz[0]", 18, "[1,3]"},
    {"foo[*].baz[*]", 18, "[[1,2],[3]]"},
    {"foo[*].baz[]", 18, "[1,2,3]"},
    {"foo[].baz[]", 18, "[1,2,3]"},
    {"obj.*", 18, "[{\"v\":1},{\"v\":2},{\"w\":3}]"},
    {"obj.*.v", 18, "[1,2]"},
    {"obj.*.v.x", 18, "null"},
    {"*", 18,
     "[[{\"bar\":1,\"baz\":[1,2]},{\"bar\":2,\"baz\":[3]},{\"x\":3},\"str\",null],{\"a\":{\"v\":1}"
     ",\"b\":{\"v\":2},\"c\":{\"w\":3},\"d\":null},[[{\"a\":1},{\"a\":2}],[{\"a\":3}]]]"},
    {"*.a", 18, "[{\"v\":1}]"},
    {"obj.*[0]", 18, "[]"},
    {"foo[*].bar[0]", 18, "[]"},
    {"nested[*][*].a", 18, "[[1,2],[3]]"},
    {"nested[].a", 18, "[1,2,3]"},
    {"nested[*][0]", 18, "[{\"a\":1},{\"a\":3}]"},
    {"nested[][0]", 18, "[]"},
    {"foo[*] | [0]", 18, "{\"bar\":1,\"baz\":[1,2]}"},
    {"foo[*].bar | [0]", 18, "1"},
    {"foo[*].bar[0]", 18, "[]"},
    {"[*]", 18, "null"},
    {"obj[*]", 18, "null"},
    {"foo.*", 18, "null"},
    {"foo[*].*", 18, "[[1,[1,2]],[2,[3]],[3]]"},
    {"obj.*.*", 18, "[[1],[2],[3]]"},
    {"*.*.*", 18, "[[[1],[2],[3]]]"},
    {"foo[*][*]", 18, "[]"},
    {"nested[*][*]", 18, "[[{\"a\":1},{\"a\":2}],[{\"a\":3}]]"},
    {"nested[*][*][*]", 18, "[[],[]]"},
    {"foo[*].bar.x", 18, "[]"},
    {"obj.* | [0]", 18, "{\"v\":1}"},
    {"obj.*.v | sort(@)", 18, "[1,2]"},
    {"*[0]", 18, "[{\"bar\":1,\"baz\":[1,2]},[{\"a\":1},{\"a\":2}]]"},
    {"foo[* ]", 18, "[{\"bar\":1,\"baz\":[1,2]},{\"bar\":2,\"baz\":[3]},{\"x\":3},\"str\"]"},
    {"foo[ *]", 18, "[{\"bar\":1,\"baz\":[1,2]},{\"bar\":2,\"baz\":[3]},{\"x\":3},\"str\"]"},
    {"foo[*", 18, "!compile"},
    {"foo[*]]", 18, "!compile"},
    {"foo*", 18, "!compile"},
    {"foo.*bar", 18, "!compile"},
    {"**", 18, "!compile"},
    {"* *", 18, "!compile"},
    {"[*]", 19, "[1]"},
    {"[*].a", 20, "[1]"},
    {"*", 21, "[1]"},
    {"[*]", 22, "[]"},
    {"[*]", 23, "null"},
    {"*", 2, "null"},
    {"logEvents[*].message", 24, "[\"m1\",\"{\\\"x\\\": 1}\"]"},
    {"Records[*]", 25, "[{\"a\":1},{\"b\":2}]"},
    {"a[*].b[*]", 26, "[[1,2],[3]]"},
    {"a[].b[]", 26, "[1,2,3]"},
    {"data.items[*].value", 27, "[1,0,false]"},
    {"[]", 28, "[1,2,3,[4]]"},
    {"[][]", 29, "[1,2,3,[4]]"},
    {"foo[]", 30, "[1,2,3]"},
    {"foo[].bar", 31, "[1,2]"},
    {"foo[]", 32, "null"},
    {"foo[][0]", 33, "[]"},
    {"foo[] | [0]", 33, "1"},
    {"[].[a]", 34, "[[1],[2]]"},
    {"foo[]", 17, "null"},
    {"[]", 4, "null"},
    {"foo[][]", 35, "[1,2,3]"},
    {"foo[ ]", 36, "!compile"},
    {"foo.[bar, baz]", 37, "[\"bar\",\"baz\"]"},
    {"foo.{bar: bar, baz: baz}", 37, "{\"bar\":\"bar\",\"baz\":\"baz\"}"},
    {"foo.[bar,missing]", 37, "[\"bar\",null]"},
    {"foo.{a: missing}", 37, "{\"a\":null}"},
    {"missing.[a, b]", 37, "null"},
    {"missing.{a: a}", 37, "null"},
    {"foo.{\"x y\": bar}", 37, "{\"x y\":\"bar\"}"},
    {"foo.{a: bar, a: baz}", 37, "{\"a\":\"baz\"}"},
    {"foo.{a: bar, b: baz, a: qux}", 37, "{\"a\":\"qux\",\"b\":\"baz\"}"},
    {"list[*].[a, b]", 37, "[[1,2],[3,null]]"},
    {"list[*].{x: a, y: b}", 37, "[{\"x\":1,\"y\":2},{\"x\":3,\"y\":null}]"},
    {"[foo.bar, foo.baz]", 37, "[\"bar\",\"baz\"]"},
    {"{a: foo.bar, b: list[0].a}", 37, "{\"a\":\"bar\",\"b\":1}"},
    {"foo.[bar, [baz, qux]]", 37, "[\"bar\",[\"baz\",\"qux\"]]"},
    {"foo.nested.*.[a]", 37, "[[\"first\"],[\"second\"]]"},
    {"foo.[bar]", 37, "[\"bar\"]"},
    {"foo.[]", 37, "!compile"},
    {"foo.{}", 37, "!compile"},
    {"foo.{a}", 37, "!compile"},
    {"foo.{a: }", 37, "!compile"},
    {"foo.{a: bar b: baz}", 37, "{\"a\":\"bar\",\"b\":\"baz\"}"},
    {"foo.[bar baz]", 37, "!compile"},
    {"foo.[bar,]", 37, "!compile"},
    {"[bar, baz]", 37, "[null,null]"},
    {"{bar: bar}", 37, "{\"bar\":null}"},
    {"foo.{bar: bar, \"baz\": baz}", 37, "{\"bar\":\"bar\",\"baz\":\"baz\"}"},
    {"foo.{1: bar}", 37, "!compile"},
    {"list[*].[a, b][0]", 37, "[1,2]"},
    {"list[].[a][]", 37, "[1,3]"},
    {"list[0].{a: a, c: c}", 37, "{\"a\":1,\"c\":null}"},
    {"foo.{bar: bar}.bar", 37, "\"bar\""},
    {"[@, @]", 37,
     "[{\"foo\":{\"bar\":\"bar\",\"baz\":\"baz\",\"qux\":\"qux\",\"nested\":{\"one\":{\"a\":\"firs"
     "t\"},\"two\":{\"a\":\"second\"}}},\"list\":[{\"a\":1,\"b\":2},{\"a\":3}]},{\"foo\":{\"bar\":"
     "\"bar\",\"baz\":\"baz\",\"qux\":\"qux\",\"nested\":{\"one\":{\"a\":\"first\"},\"two\":{\"a\""
     ":\"second\"}}},\"list\":[{\"a\":1,\"b\":2},{\"a\":3}]}]"},
    {"[[@]]", 37,
     "[[{\"foo\":{\"bar\":\"bar\",\"baz\":\"baz\",\"qux\":\"qux\",\"nested\":{\"one\":{\"a\":\"fir"
     "st\"},\"two\":{\"a\":\"second\"}}},\"list\":[{\"a\":1,\"b\":2},{\"a\":3}]}]]"},
    {"{a: @}", 37,
     "{\"a\":{\"foo\":{\"bar\":\"bar\",\"baz\":\"baz\",\"qux\":\"qux\",\"nested\":{\"one\":{\"a\":"
     "\"first\"},\"two\":{\"a\":\"second\"}}},\"list\":[{\"a\":1,\"b\":2},{\"a\":3}]}}"},
    {"people[?age > `15`]", 38,
     "[{\"name\":\"b\",\"age\":20,\"tags\":[]},{\"name\":\"d\",\"age\":30.5,\"flag\":true}]"},
    {"people[?age > `15`].name", 38, "[\"b\",\"d\"]"},
    {"people[?age >= `20`].name", 38, "[\"b\",\"d\"]"},
    {"people[?age < `20`].name", 38, "[\"a\"]"},
    {"people[?age <= `10`].name", 38, "[\"a\"]"},
    {"people[?age == `20`].name", 38, "[\"b\"]"},
    {"people[?age != `20`].name", 38, "[\"a\",\"c\",\"d\"]"},
    {"people[?name == 'a']", 38, "[{\"name\":\"a\",\"age\":10,\"tags\":[\"x\"]}]"},
    {"people[?name == `\"a\"`].age", 38, "[10]"},
    {"people[?tags]", 38, "[{\"name\":\"a\",\"age\":10,\"tags\":[\"x\"]}]"},
    {"people[?tags].name", 38, "[\"a\"]"},
    {"people[?!tags].name", 38, "[\"b\",\"c\",\"d\"]"},
    {"people[?flag].name", 38, "[\"d\"]"},
    {"people[?!flag].name", 38, "[\"a\",\"b\",\"c\"]"},
    {"people[?age > `15` && age < `25`].name", 38, "[\"b\"]"},
    {"people[?age < `15` || age > `25`].name", 38, "[\"a\",\"d\"]"},
    {"people[?!(age > `15`)].name", 38, "[\"a\",\"c\"]"},
    {"people[?age > 'b'].name", 38, "!ETYPE"},
    {"people[?name > 'b'].name", 38, "[\"c\",\"d\"]"},
    {"people[?name >= 'b' && name < 'd'].name", 38, "[\"b\",\"c\"]"},
    {"people[?age > `15`] | [0]", 38, "{\"name\":\"b\",\"age\":20,\"tags\":[]}"},
    {"people[?age > `15`][0]", 38, "[]"},
    {"people[?age > `15`].name | [0]", 38, "\"b\""},
    {"people[?age]", 38,
     "[{\"name\":\"a\",\"age\":10,\"tags\":[\"x\"]},{\"name\":\"b\",\"age\":20,\"tags\":[]},{\"nam"
     "e\":\"d\",\"age\":30.5,\"flag\":true}]"},
    {"people[?age > `15`]", 38,
     "[{\"name\":\"b\",\"age\":20,\"tags\":[]},{\"name\":\"d\",\"age\":30.5,\"flag\":true}]"},
    {"nums[?@ == `1`]", 38, "[1,1.0]"},
    {"nums[?@ == `0`]", 38, "[0,0.0]"},
    {"nums[?@ == `true`]", 38, "[1.0,true]"},
    {"nums[?@ == `false`]", 38, "[false,0.0]"},
    {"nums[?@ == `1.0`]", 38, "[1,1.0,true]"},
    {"nums[?@ == `0.0`]", 38, "[0,false,0.0]"},
    {"nums[?@]", 38, "[0,1,2,1.0,true,\"1\",0.0]"},
    {"nums[?!@]", 38, "[false,[],{},0.0]"},
    {"nums[?@ != `1`]", 38, "[0,2,true,false,\"1\",[],{},0.0]"},
    {"nums[?@ > `0`]", 38, "!ETYPE"},
    {"strs[?@ > 'a']", 38, "[\"b\",\"ab\"]"},
    {"strs[?@ < 'b']", 38, "[\"a\",\"ab\",\"B\",\"\"]"},
    {"strs[?@ >= '']", 38, "[\"a\",\"b\",\"ab\",\"B\",\"\"]"},
    {"people[?tags == `[]`].name", 38, "[\"b\"]"},
    {"people[?tags == `[\"x\"]`].name", 38, "[\"a\"]"},
    {"people[?age == null].name", 38, "[\"c\"]"},
    {"people[?age == `null`].name", 38, "[\"c\"]"},
    {"people[?missing == `null`].name", 38, "[\"a\",\"b\",\"c\",\"d\"]"},
    {"[?a == `1`]", 38, "null"},
    {"people[?age > `15`]", 38,
     "[{\"name\":\"b\",\"age\":20,\"tags\":[]},{\"name\":\"d\",\"age\":30.5,\"flag\":true}]"},
    {"people[?]", 38, "!compile"},
    {"people[?age >]", 38, "!compile"},
    {"people[?age > `15`", 38, "!compile"},
    {"people[?age = `15`]", 38, "!compile"},
    {"people[?age > 15]", 38, "!compile"},
    {"people[?age > `15`][]", 38,
     "[{\"name\":\"b\",\"age\":20,\"tags\":[]},{\"name\":\"d\",\"age\":30.5,\"flag\":true}]"},
    {"people[?age > `15`].tags[]", 38, "[]"},
    {"nums[?@ > '0']", 38, "!ETYPE"},
    {"people[?name == 'a' || name == 'b'] | length(@)", 38, "2"},
    {"people[?contains(tags, 'x')].name", 38, "!ETYPE"},
    {"people[?age > `15`].{n: name}", 38, "[{\"n\":\"b\"},{\"n\":\"d\"}]"},
    {"people[?length(name) == `1`] | length(@)", 38, "4"},
    {"people[?age>`15`]|[*].name", 38, "[\"b\",\"d\"]"},
    {"*[?age > `15`].name", 38, "[[\"b\",\"d\"],[],[]]"},
    {"people[?age > `100`]", 38, "[]"},
    {"[?@ > `1`]", 38, "null"},
    {"people[?age > `15`].name", 39, "!ETYPE"},
    {"people[?age == `20`].name", 39, "[\"a\"]"},
    {"foo[?a == `1`]", 17, "null"},
    {"foo[?bar==`10`].baz", 40, "[1]"},
    {"[?a == b]", 41,
     "[{\"a\":1,\"b\":1},{\"a\":[1],\"b\":[1]},{\"a\":{\"x\":1},\"b\":{\"x\":1}},{}]"},
    {"[?a < b]", 42, "[{\"a\":1,\"b\":2},{\"a\":\"a\",\"b\":\"b\"},{\"a\":1,\"b\":1.5}]"},
    {"[?a < b]", 43, "!ETYPE"},
    {"[?a > `9223372036854775807`]", 44,
     "[{\"a\":9223372036854775808},{\"a\":1e+19},{\"a\":123456789012345678901234567890}]"},
    {"foo | bar", 45, "{\"baz\":\"one\"}"},
    {"foo | bar | baz", 45, "\"one\""},
    {"foo.* | [0]", 45, "{\"baz\":\"one\"}"},
    {"foo.*.baz | [0]", 45, "\"one\""},
    {"foo.*.baz | [1]", 45, "\"two\""},
    {"arr[*] | [0]", 45, "[1,2]"},
    {"arr[*][0]", 45, "[1,3]"},
    {"foo | *", 45, "[{\"baz\":\"one\"},{\"baz\":\"two\"}]"},
    {"foo || bar", 45, "{\"bar\":{\"baz\":\"one\"},\"other\":{\"baz\":\"two\"}}"},
    {"missing || foo.bar", 45, "{\"baz\":\"one\"}"},
    {"missing && foo", 45, "null"},
    {"foo && foo.bar", 45, "{\"baz\":\"one\"}"},
    {"foo | ", 45, "!compile"},
    {"| foo", 45, "!compile"},
    {"foo |", 45, "!compile"},
    {"foo.bar | baz || 'x'", 45, "\"one\""},
    {"arr | [*][0]", 45, "[1,3]"},
    {"arr[0] | [1]", 45, "2"},
    {"`1` | @", 45, "1"},
    {"foo.(bar)", 45, "!compile"},
    {"(foo).bar", 45, "{\"baz\":\"one\"}"},
    {"(foo.bar).baz", 45, "\"one\""},
    {"(foo | bar).baz", 45, "\"one\""},
    {"(foo)", 45, "{\"bar\":{\"baz\":\"one\"},\"other\":{\"baz\":\"two\"}}"},
    {"((foo))", 45, "{\"bar\":{\"baz\":\"one\"},\"other\":{\"baz\":\"two\"}}"},
    {"(foo", 45, "!compile"},
    {"foo)", 45, "!compile"},
    {"()", 45, "!compile"},
    {"`\"foo\"`", 46, "\"foo\""},
    {"`foo`", 46, "\"foo\""},
    {"` foo`", 46, "\"foo\""},
    {"`1`", 46, "1"},
    {"`1.5`", 46, "1.5"},
    {"`-1`", 46, "-1"},
    {"`1e3`", 46, "1000.0"},
    {"`true`", 46, "true"},
    {"`false`", 46, "false"},
    {"`null`", 46, "null"},
    {"`[1, 2]`", 46, "[1,2]"},
    {"`{\"a\": 1}`", 46, "{\"a\":1}"},
    {"`{\"a\": [1, {\"b\": null}]}`", 46, "{\"a\":[1,{\"b\":null}]}"},
    {"'foo'", 46, "\"foo\""},
    {"'fo\\'o'", 46, "\"fo'o\""},
    {"'\\\\'", 46, "\"\\\\\\\\\""},
    {"'\\z'", 46, "\"\\\\z\""},
    {"'a\\\\b'", 46, "\"a\\\\\\\\b\""},
    {"''", 46, "\"\""},
    {"``", 46, "\"\""},
    {"` `", 46, "\"\""},
    {"`\\``", 46, "\"`\""},
    {"`\"a\\`b\"`", 46, "\"a`b\""},
    {"`[1,`", 46, "\"[1,\""},
    {"'unterminated", 46, "!compile"},
    {"`unterminated", 46, "!compile"},
    {"\"unterminated", 46, "!compile"},
    {"`123456789012345678901234567890`", 46, "123456789012345678901234567890"},
    {"`NaN`", 46, "NaN"},
    {"`Infinity`", 46, "Infinity"},
    {"`1.0`", 46, "1.0"},
    {"`1e400`", 46, "Infinity"},
    {"`\"\\u00e9\"`", 46, "\"\303\251\""},
    {"'\303\251'", 46, "\"\303\251\""},
    {"`\303\251`", 46, "\"\303\251\""},
    {"`\"a\"\"b\"`", 46, "!compile"},
    {"`01`", 46, "\"01\""},
    {"`[1, 2]`[0]", 46, "1"},
    {"`{\"a\": 1}`.a", 46, "1"},
    {"'abc'[0]", 46, "null"},
    {"`\"x\"`.foo", 46, "null"},
    {"'\\''", 46, "\"'\""},
    {"`\"\\\\\"`", 46, "\"\\\\\""},
    {"abs(num)", 47, "5"},
    {"abs(fl)", 47, "2.7"},
    {"abs(`-0.0`)", 47, "0.0"},
    {"abs(big)", 47, "123456789012345678901234567890"},
    {"abs(negbig)", 47, "123456789012345678901234567890"},
    {"abs(str)", 47, "!ETYPE"},
    {"abs(`-9223372036854775808`)", 47, "9223372036854775808"},
    {"avg(n)", 47, "2.0"},
    {"avg(f)", 47, "0.6666666666666666"},
    {"avg(e)", 47, "null"},
    {"avg(s)", 47, "!ETYPE"},
    {"avg(mixed)", 47, "!ETYPE"},
    {"ceil(fl)", 47, "-2"},
    {"ceil(num)", 47, "-5"},
    {"ceil(`1.0000001`)", 47, "2"},
    {"ceil(`1e300`)", 47,
     "10000000000000000525047602552044202487044685811081591549158541155118024579889081957863713750"
     "80447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233"
     "79478809005936895323497079994508111903896764088007465274278014249457925878882005684283811566"
     "9472196386865459400540160"},
    {"floor(fl)", 47, "-3"},
    {"floor(`-0.5`)", 47, "-1"},
    {"floor(str)", 47, "!ETYPE"},
    {"floor(big)", 47, "123456789012345678901234567890"},
    {"contains(s, 'a')", 47, "true"},
    {"contains(s, 'z')", 47, "false"},
    {"contains(str, 'ell')", 47, "true"},
    {"contains(str, '')", 47, "true"},
    {"contains(str, `1`)", 47, "!ETYPE"},
    {"contains(n, `1.0`)", 47, "true"},
    {"contains(`[true]`, `1`)", 47, "true"},
    {"contains(`[1]`, `true`)", 47, "true"},
    {"contains(o, 'a')", 47, "!ETYPE"},
    {"contains(uni, '\342\234\223')", 47, "true"},
    {"ends_with(str, 'llo')", 47, "true"},
    {"ends_with(str, 'x')", 47, "false"},
    {"ends_with(str, '')", 47, "true"},
    {"ends_with(n, 'x')", 47, "!ETYPE"},
    {"starts_with(str, 'He')", 47, "true"},
    {"starts_with(str, 'he')", 47, "false"},
    {"starts_with(str, str)", 47, "true"},
    {"starts_with(@, 'x')", 47, "!ETYPE"},
    {"join(', ', s)", 47, "\"b, a, c\""},
    {"join('', s)", 47, "\"bac\""},
    {"join(', ', e)", 47, "\"\""},
    {"join(', ', n)", 47, "!ETYPE"},
    {"join(`1`, s)", 47, "!ETYPE"},
    {"join('-', mixed)", 47, "!ETYPE"},
    {"keys(o)", 47, "[\"b\",\"a\"]"},
    {"keys(e)", 47, "!ETYPE"},
    {"keys(@) | length(@)", 47, "20"},
    {"values(o)", 47, "[2,1]"},
    {"values(n)", 47, "!ETYPE"},
    {"length(str)", 47, "5"},
    {"length(uni)", 47, "7"},
    {"length(n)", 47, "3"},
    {"length(o)", 47, "2"},
    {"length(num)", 47, "!ETYPE"},
    {"length(`null`)", 47, "!ETYPE"},
    {"length(e)", 47, "0"},
    {"length('')", 47, "0"},
    {"map(&name, people)", 47, "[\"x\",\"y\",\"z\"]"},
    {"map(&missing, people)", 47, "[null,null,null]"},
    {"map(&[name, age], people)", 47, "[[\"x\",30],[\"y\",25],[\"z\",30]]"},
    {"map(name, people)", 47, "!ETYPE"},
    {"map(&@, n)", 47, "[3,1,2]"},
    {"map(&length(@), s)", 47, "[1,1,1]"},
    {"max(n)", 47, "3"},
    {"max(f)", 47, "3"},
    {"max(s)", 47, "\"c\""},
    {"max(e)", 47, "null"},
    {"max(mixed)", 47, "!ETYPE"},
    {"max(o)", 47, "!ETYPE"},
    {"min(n)", 47, "1"},
    {"min(f)", 47, "-2.5"},
    {"min(s)", 47, "\"a\""},
    {"min(e)", 47, "null"},
    {"max(`[1, 1.0]`)", 47, "1"},
    {"min(`[1.0, 1]`)", 47, "1.0"},
    {"max(ints)", 47, "9223372036854775807"},
    {"min(neg)", 47, "-9223372036854775808"},
    {"max_by(people, &age)", 47, "{\"name\":\"x\",\"age\":30}"},
    {"max_by(people, &name)", 47, "{\"name\":\"z\",\"age\":30}"},
    {"min_by(people, &age)", 47, "{\"name\":\"y\",\"age\":25}"},
    {"min_by(people, &name)", 47, "{\"name\":\"x\",\"age\":30}"},
    {"max_by(people, &missing)", 47, "!ETYPE"},
    {"max_by(e, &age)", 47, "null"},
    {"min_by(`[]`, &x)", 47, "null"},
    {"max_by(people, age)", 47, "!ETYPE"},
    {"max_by(`[{\"a\": 1}, {\"a\": \"x\"}]`, &a)", 47, "!ETYPE"},
    {"merge(o, o2)", 47, "{\"b\":2,\"a\":3,\"c\":4}"},
    {"merge(o)", 47, "{\"b\":2,\"a\":1}"},
    {"merge(`{}`, o2, `{\"a\": null}`)", 47, "{\"a\":null,\"c\":4}"},
    {"merge(o, n)", 47, "!ETYPE"},
    {"merge()", 47, "!compile"},
    {"not_null(missing, `null`, str)", 47, "\"Hello\""},
    {"not_null(missing)", 47, "null"},
    {"not_null(`null`, `0`)", 47, "0"},
    {"not_null()", 47, "!compile"},
    {"reverse(n)", 47, "[2,1,3]"},
    {"reverse(str)", 47, "\"olleH\""},
    {"reverse(uni)", 47, "\"\360\237\230\200\342\234\223oll\303\251h\""},
    {"reverse(e)", 47, "[]"},
    {"reverse('')", 47, "\"\""},
    {"reverse(o)", 47, "!ETYPE"},
    {"sort(n)", 47, "[1,2,3]"},
    {"sort(s)", 47, "[\"a\",\"b\",\"c\"]"},
    {"sort(f)", 47, "[-2.5,1.5,3]"},
    {"sort(e)", 47, "[]"},
    {"sort(mixed)", 47, "!ETYPE"},
    {"sort(`[3, 1.5, 2, -1]`)", 47, "[-1,1.5,2,3]"},
    {"sort(people)", 47, "!ETYPE"},
    {"sort(`[\"b\", \"B\", \"a\", \"\303\251\", \"z\"]`)", 47,
     "[\"B\",\"a\",\"b\",\"z\",\"\303\251\"]"},
    {"sort_by(people, &age)", 47,
     "[{\"name\":\"y\",\"age\":25},{\"name\":\"x\",\"age\":30},{\"name\":\"z\",\"age\":30}]"},
    {"sort_by(people, &name)", 47,
     "[{\"name\":\"x\",\"age\":30},{\"name\":\"y\",\"age\":25},{\"name\":\"z\",\"age\":30}]"},
    {"sort_by(people, &age)[*].name", 47, "[\"y\",\"x\",\"z\"]"},
    {"sort_by(e, &a)", 47, "[]"},
    {"sort_by(people, &missing)", 47, "!ETYPE"},
    {"sort_by(`[{\"a\": 1}, {\"a\": \"x\"}]`, &a)", 47, "!ETYPE"},
    {"sort_by(`[{\"a\": 2}, {\"a\": 1.5}, {\"a\": 1}]`, &a)", 47,
     "[{\"a\":1},{\"a\":1.5},{\"a\":2}]"},
    {"sum(n)", 47, "6"},
    {"sum(f)", 47, "2.0"},
    {"sum(e)", 47, "0"},
    {"sum(s)", 47, "!ETYPE"},
    {"sum(ints)", 47, "9223372036854775808"},
    {"sum(neg)", 47, "-9223372036854775809"},
    {"sum(`[0.1, 0.2, 0.3]`)", 47, "0.6000000000000001"},
    {"sum(`[1, 2.5]`)", 47, "3.5"},
    {"sum(`[123456789012345678901234567890, 1]`)", 47, "123456789012345678901234567891"},
    {"sum(`[123456789012345678901234567890, -123456789012345678901234567890]`)", 47, "0"},
    {"avg(ints)", 47, "4.611686018427388e+18"},
    {"avg(`[1, 2]`)", 47, "1.5"},
    {"to_array(n)", 47, "[3,1,2]"},
    {"to_array(str)", 47, "[\"Hello\"]"},
    {"to_array(`null`)", 47, "[null]"},
    {"to_array(o)", 47, "[{\"b\":2,\"a\":1}]"},
    {"to_number('12')", 47, "12"},
    {"to_number(' 12 ')", 47, "12"},
    {"to_number('1.5')", 47, "1.5"},
    {"to_number('x')", 47, "null"},
    {"to_number(n)", 47, "null"},
    {"to_number(`true`)", 47, "null"},
    {"to_number(`null`)", 47, "null"},
    {"to_number(num)", 47, "-5"},
    {"to_number('1e3')", 47, "1000.0"},
    {"to_number('1_0')", 47, "10"},
    {"to_number('nan')", 47, "NaN"},
    {"nums_as_str[*].to_number(@)", 47, "[1,2,1.5,1000.0,10,NaN,Infinity]"},
    {"map(&to_number(@), nums_as_str)", 47, "[1,2,1.5,null,1000.0,10,NaN,Infinity,null]"},
    {"to_number(big)", 47, "123456789012345678901234567890"},
    {"to_number('123456789012345678901234567890')", 47, "123456789012345678901234567890"},
    {"to_string(n)", 47, "\"[3,1,2]\""},
    {"to_string(str)", 47, "\"Hello\""},
    {"to_string(o)", 47, "\"{\\\"b\\\":2,\\\"a\\\":1}\""},
    {"to_string(`null`)", 47, "\"null\""},
    {"to_string(`true`)", 47, "\"true\""},
    {"to_string(f)", 47, "\"[1.5,-2.5,3]\""},
    {"to_string(uni)", 47, "\"h\303\251llo\342\234\223\360\237\230\200\""},
    {"to_string(`[\"\303\251\\n\\u0001\\u007f\"]`)", 47,
     "\"[\\\"\\\\u00e9\\\\n\\\\u0001\\\\u007f\\\"]\""},
    {"to_string(big)", 47, "\"123456789012345678901234567890\""},
    {"to_string(`1e16`)", 47, "\"1e+16\""},
    {"to_string(`1.0`)", 47, "\"1.0\""},
    {"type(str)", 47, "\"string\""},
    {"type(n)", 47, "\"array\""},
    {"type(o)", 47, "\"object\""},
    {"type(num)", 47, "\"number\""},
    {"type(fl)", 47, "\"number\""},
    {"type(`null`)", 47, "\"null\""},
    {"type(t)", 47, "\"boolean\""},
    {"type(missing)", 47, "\"null\""},
    {"type(big)", 47, "\"number\""},
    {"unknown(n)", 47, "!compile"},
    {"length()", 47, "!compile"},
    {"length(n, n)", 47, "!compile"},
    {"abs()", 47, "!compile"},
    {"max_by(people)", 47, "!compile"},
    {"\"length\"(n)", 47, "!compile"},
    {"length(@)", 47, "20"},
    {"foo.length(@)", 47, "!ETYPE"},
    {"n.length(@)", 47, "3"},
    {"length(n) || 'x'", 47, "3"},
    {"length(n b)", 47, "!compile"},
    {"length(n,)", 47, "3"},
    {"sort_by(people, &age)[0].name", 47, "\"y\""},
    {"people[*].name | sort(@) | [0]", 47, "\"x\""},
    {"to_string(@)", 47,
     "\"{\\\"n\\\":[3,1,2],\\\"f\\\":[1.5,-2.5,3],\\\"s\\\":[\\\"b\\\",\\\"a\\\",\\\"c\\\"],\\\"mi"
     "xed\\\":[1,\\\"a\\\"],\\\"e\\\":[],\\\"o\\\":{\\\"b\\\":2,\\\"a\\\":1},\\\"o2\\\":{\\\"a\\\""
     ":3,\\\"c\\\":4},\\\"str\\\":\\\"Hello\\\",\\\"num\\\":-5,\\\"fl\\\":-2.7,\\\"big\\\":1234567"
     "89012345678901234567890,\\\"negbig\\\":-123456789012345678901234567890,\\\"nan\\\":null,\\\""
     "t\\\":true,\\\"people\\\":[{\\\"name\\\":\\\"x\\\",\\\"age\\\":30},{\\\"name\\\":\\\"y\\\","
     "\\\"age\\\":25},{\\\"name\\\":\\\"z\\\",\\\"age\\\":30}],\\\"uni\\\":\\\"h\\\\u00e9llo\\\\u2"
     "713\\\\ud83d\\\\ude00\\\",\\\"z\\\":0,\\\"nums_as_str\\\":[\\\"1\\\",\\\" 2 \\\",\\\"1.5\\\""
     ",\\\"x\\\",\\\"1e3\\\",\\\"1_0\\\",\\\"nan\\\",\\\"inf\\\",\\\"0x10\\\"],\\\"ints\\\":[92233"
     "72036854775807,1],\\\"neg\\\":[-9223372036854775808,-1]}\""},
    {"length(`1`) || 'x'", 47, "!ETYPE"},
    {"`true` || length(`1`)", 47, "true"},
    {"ceil(`1.5`)", 47, "2"},
    {"floor(`1e20`)", 47, "100000000000000000000"},
    {"ceil(`-0.0`)", 47, "0"},
    {"abs(`-1.5e300`)", 47, "1.5e+300"},
    {"sum(`[1e308, 1e308]`)", 47, "Infinity"},
    {"avg(`[1e308, 1e308]`)", 47, "Infinity"},
    {"to_number('1e400')", 47, "Infinity"},
    {"to_number('-0')", 47, "0"},
    {"to_number('-0.0')", 47, "-0.0"},
    {"!t", 48, "false"},
    {"!f", 48, "true"},
    {"!z", 48, "false"},
    {"!zf", 48, "true"},
    {"!e", 48, "true"},
    {"!ea", 48, "true"},
    {"!eo", 48, "true"},
    {"!n", 48, "true"},
    {"!s", 48, "false"},
    {"!one", 48, "false"},
    {"!missing", 48, "true"},
    {"t && s", 48, "\"x\""},
    {"f && s", 48, "false"},
    {"z && s", 48, "\"x\""},
    {"e && s", 48, "\"\""},
    {"ea || s", 48, "\"x\""},
    {"z || s", 48, "0"},
    {"zf || s", 48, "0.0"},
    {"n || n", 48, "null"},
    {"!!s", 48, "true"},
    {"!(t && f)", 48, "true"},
    {"t && f || s", 48, "\"x\""},
    {"s || t && f", 48, "\"x\""},
    {"!t == f", 48, "true"},
    {"!(t == f)", 48, "true"},
    {"t == !f", 48, "true"},
    {"f || ea || eo || e", 48, "\"\""},
    {"z == `0`", 48, "true"},
    {"zf == `0`", 48, "true"},
    {"z == `false`", 48, "false"},
    {"zf == `false`", 48, "true"},
    {"one == `true`", 48, "false"},
    {"t == `1`", 48, "false"},
    {"t == `1.0`", 48, "true"},
    {"f == `0.0`", 48, "true"},
    {"`[1]` == `[true]`", 48, "true"},
    {"`{\"a\": 1}` == `{\"a\": 1.0}`", 48, "true"},
    {"s == 'x'", 48, "true"},
    {"`1` == `1.0`", 48, "true"},
    {"`\"1\"` == `1`", 48, "false"},
    {"n == `null`", 48, "true"},
    {"missing == n", 48, "true"},
    {"", 49, "!compile"},
    {" ", 49, "!compile"},
    {"foo.", 49, "!compile"},
    {"foo[", 49, "!compile"},
    {"foo]", 49, "!compile"},
    {"[", 49, "!compile"},
    {"]", 49, "!compile"},
    {"{", 49, "!compile"},
    {"}", 49, "!compile"},
    {"foo{", 49, "!compile"},
    {"foo.{", 49, "!compile"},
    {"foo.[", 49, "!compile"},
    {"a.'b'", 49, "!compile"},
    {"a.`b`", 49, "!compile"},
    {"a.@", 49, "!compile"},
    {"a..b", 49, "!compile"},
    {"a.[0]", 49, "!compile"},
    {"a.1", 49, "!compile"},
    {"#", 49, "!compile"},
    {"$", 49, "!compile"},
    {"a=b", 49, "!compile"},
    {"a = = b", 49, "!compile"},
    {"a & b", 49, "!compile"},
    {"&", 49, "!compile"},
    {"!", 49, "!compile"},
    {"a !b", 49, "!compile"},
    {"a < ", 49, "!compile"},
    {"< a", 49, "!compile"},
    {"a.b.c.", 49, "!compile"},
    {"[a, ]", 49, "!compile"},
    {"{a: b,}", 49, "!compile"},
    {"{a: b, }", 49, "!compile"},
    {"a[1:2:]", 49, "null"},
    {"a[::]", 49, "null"},
    {"a[:::]", 49, "!compile"},
    {"a[1:a]", 49, "!compile"},
    {"a[-]", 49, "!compile"},
    {"a[--1]", 49, "!compile"},
    {"-1", 49, "!compile"},
    {"1", 49, "!compile"},
    {"a[1]b", 49, "!compile"},
    {"a b", 49, "!compile"},
    {"\"a\" \"b\"", 49, "!compile"},
    {"'a' 'b'", 49, "!compile"},
    {"a[?]", 49, "!compile"},
    {"a[?b", 49, "!compile"},
    {"a | | b", 49, "!compile"},
    {"a || || b", 49, "!compile"},
    {"(a", 49, "!compile"},
    {"a)", 49, "!compile"},
    {"a(", 49, "!compile"},
    {"foo()", 49, "!compile"},
    {"(length)(@)", 49, "2"},
    {"@.length(@)", 49, "2"},
    {"\303\251", 49, "!compile"},
    {"a.\303\251", 49, "!compile"},
    {"'\\u00e9'", 49, "\"\\\\u00e9\""},
    {"a\\b", 49, "!compile"},
    {"a[*]b", 49, "!compile"},
    {"*a", 49, "!compile"},
    {"a.*b", 49, "!compile"},
    {"f(a,,b)", 49, "!compile"},
    {"`1`(a)", 49, "!compile"},
    {"a[0]()", 49, "!compile"},
    {"a.b(c)", 49, "!compile"},
    {"[*](x)", 49, "!compile"},
    {"\"a\\x\"", 49, "!compile"},
    {"\"a\001\"", 49, "!compile"},
    {"`\"a\001\"`", 49, "!compile"},
    {"a\t.\nb", 49, "[1,2]"},
    {"@@", 49, "!compile"},
    {"a.[*]", 49, "[[[1,2]]]"},
    {"a.{*: b}", 49, "!compile"},
    {"a[? b == `1`]", 49, "null"},
    {"a[?b==`1`].c[?d]", 49, "null"},
};

/* Compiles and evaluates expr on the JSON text doc; renders like the table. */
static void run(const char *expr, const char *doc, struct vgl_arena *a, struct vgl_buf *got,
                struct vgl_error *err)
{
    vgl_buf_reset(got);
    struct vgl_json in, out;
    if (vgl_json_parse(doc, strlen(doc), a, NULL, &in, err) != 0) {
        vgl_buf_printf(got, "bad test document: %s", err->msg);
        return;
    }
    struct vgl_jmespath *p = vgl_jmespath_compile(expr, strlen(expr), err);
    if (!p) {
        vgl_buf_puts(got, "!compile");
        return;
    }
    int rc = vgl_jmespath_eval(p, &in, a, &out, err);
    if (rc) {
        vgl_buf_printf(got, "!%s", vgl_err_name(rc));
    } else {
        /* A clone drops the parser's source-text shortcut, so the writer prints the
         * value itself ("\u00e9" in the source comes out as UTF-8, like json.dumps). */
        struct vgl_json canon = vgl_json_clone(a, &out);
        vgl_json_write(got, &canon);
    }
    vgl_jmespath_free(p);
}

TEST(table)
{
    struct vgl_arena a;
    struct vgl_buf got;
    struct vgl_error err = {0};
    vgl_arena_init(&a, 0);
    vgl_buf_init(&got, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run(cases[i].expr, docs[cases[i].doc], &a, &got, &err);
        if (strcmp(got.data ? got.data : "", cases[i].expect) != 0) {
            fprintf(stderr, "  case %zu: %s  (%s)\n", i, cases[i].expr, err.msg);
            CHECK_STR_EQ(got.data ? got.data : "", cases[i].expect);
        }
        vgl_arena_reset(&a);
    }
    vgl_buf_release(&got);
    vgl_arena_release(&a);
}

/* The compile error message for expr. */
static const char *compile_error(const char *expr, struct vgl_error *err)
{
    struct vgl_jmespath *p = vgl_jmespath_compile(expr, strlen(expr), err);
    if (p) {
        vgl_jmespath_free(p);
        return "(compiled)";
    }
    return err->msg;
}

TEST(syntax_errors_say_where_and_what)
{
    struct vgl_error err;
    CHECK_STR_EQ(compile_error("", &err), "empty expression");
    CHECK_STR_EQ(compile_error("foo.", &err),
                 "column 5: expected an identifier, '*', '[' or '{' after '.', found end of "
                 "expression");
    CHECK_STR_EQ(compile_error("foo[1", &err),
                 "column 6: expected ']' after an index, found end of expression");
    CHECK_STR_EQ(compile_error("a b", &err), "column 3: expected end of expression, found 'b'");
    CHECK_STR_EQ(compile_error("a[?b = `1`]", &err),
                 "column 6: unknown token '=' (did you mean '=='?)");
    CHECK_STR_EQ(compile_error("a.'b'", &err),
                 "column 3: expected an identifier, '*', '[' or '{' after '.', found ''b''");
    CHECK_STR_EQ(compile_error("'abc", &err), "column 1: unclosed \"'\" delimiter");
    CHECK_STR_EQ(compile_error("foo | #", &err), "column 7: unknown token '#'");
    /* Found by fuzzing: a raw string literal carried invalid UTF-8 into the result. */
    CHECK_STR_EQ(compile_error("'\"=\320'", &err), "column 4: invalid UTF-8 byte 0xd0");
    CHECK_INT_EQ(err.code, VGL_EUTF8);
    CHECK_STR_EQ(compile_error("a.\xc3\xa9", &err), "column 3: unknown token '\xc3\xa9'");
    /* Text that is not JSON is tried as a JSON string body (`[1,` is "[1,"). */
    CHECK_STR_EQ(compile_error("`\"a`", &err), "column 1: invalid JSON literal '`\\\"a`'");
    CHECK_STR_CONTAINS(compile_error("\"a\\x\"", &err), "column 1: invalid quoted identifier: ");
    CHECK_STR_EQ(compile_error("foo[*]bar", &err),
                 "column 7: expected end of expression, found 'bar'");
    CHECK_STR_EQ(compile_error("foo[*]*", &err),
                 "column 7: expected '.', '[' or '[?' after a projection, found '*'");
    CHECK_STR_EQ(compile_error("\"length\"(@)", &err),
                 "column 9: a quoted identifier cannot name a function, found '('");
    CHECK_STR_EQ(compile_error("a[0](@)", &err),
                 "column 5: expected a function name before '(', found '('");
}

TEST(functions_are_checked_when_compiling)
{
    struct vgl_error err;
    /* jmespath.py only notices these when the call is evaluated; a config is better
     * rejected when it loads. */
    CHECK_STR_EQ(compile_error("foo | bogus(@)", &err), "column 7: unknown function 'bogus'");
    CHECK_STR_EQ(compile_error("length(a, b)", &err),
                 "column 1: function length() takes 1 argument, got 2");
    CHECK_STR_EQ(compile_error("x || merge()", &err),
                 "column 6: function merge() takes at least 1 argument, got 0");
    CHECK_STR_EQ(compile_error("not_null()", &err),
                 "column 1: function not_null() takes at least 1 argument, got 0");
    CHECK_STR_EQ(compile_error("[*].sort_by(@, &a, &b)", &err),
                 "column 5: function sort_by() takes 2 arguments, got 3");
    /* A zero slice step is a ValueError in jmespath.py at evaluation. */
    CHECK_STR_EQ(compile_error("a[::0]", &err), "column 2: slice step cannot be 0");
}

TEST(limits)
{
    struct vgl_error err = {0};
    char deep[2 * VGL_JMESPATH_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i < VGL_JMESPATH_MAX_DEPTH + 2; i++)
        deep[n++] = '(';
    deep[n++] = 'a';
    CHECK(vgl_jmespath_compile(deep, n, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "nested deeper than");

    /* A long dotted chain stays flat, but a deep tree of another kind is refused. */
    static char chain[4 * 1000];
    n = 0;
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(chain + n, "%sa", i ? "." : "");
    struct vgl_jmespath *p = vgl_jmespath_compile(chain, n, &err);
    CHECK(p != NULL);
    vgl_jmespath_free(p);
    n = 0;
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(chain + n, "%sa", i ? "|" : "");
    CHECK(vgl_jmespath_compile(chain, n, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ELIMIT);

    static char big[VGL_JMESPATH_MAX_LEN + 2];
    memset(big, 'a', sizeof big);
    CHECK(vgl_jmespath_compile(big, sizeof big, &err) == NULL);
    CHECK_INT_EQ(err.code, VGL_ELIMIT);
    vgl_jmespath_free(NULL);
}

/* Evaluates expr on doc; returns the result in the arena. */
static struct vgl_json eval_on(const char *expr, const struct vgl_json *in, struct vgl_arena *a,
                               int *rc, struct vgl_error *err)
{
    struct vgl_json out = vgl_json_null();
    struct vgl_jmespath *p = vgl_jmespath_compile(expr, strlen(expr), err);
    *rc = p ? vgl_jmespath_eval(p, in, a, &out, err) : err->code;
    vgl_jmespath_free(p);
    return out;
}

TEST(projections_allocate_at_most_one_array)
{
    struct vgl_arena a, docs_arena;
    vgl_arena_init(&a, 0);
    vgl_arena_init(&docs_arena, 0);
    const char *doc = "{\"Records\":[{\"a\":1},{\"a\":2},{\"a\":3}],"
                      "\"x\":{\"y\":[{\"m\":\"p\"},{\"m\":\"q\"},{\"n\":1}]}}";
    struct vgl_json in;
    struct vgl_error err = {0};
    int rc;
    CHECK_INT_EQ(vgl_json_parse(doc, strlen(doc), &docs_arena, NULL, &in, NULL), 0);
    /* name[*] over an array without nulls is the input array itself. */
    struct vgl_json r = eval_on("Records[*]", &in, &a, &rc, &err);
    CHECK_INT_EQ(rc, 0);
    CHECK(r.type == VGL_JSON_ARRAY && r.len == 3);
    CHECK(r.u.items == vgl_json_getz(&in, "Records")->u.items);
    CHECK_INT_EQ(a.used, 0);
    /* a.b[*].c builds exactly one array of three slots. */
    r = eval_on("x.y[*].m", &in, &a, &rc, &err);
    CHECK_INT_EQ(rc, 0);
    CHECK_INT_EQ(r.len, 2);
    CHECK_INT_EQ(a.used, 3 * sizeof(struct vgl_json));
    /* The selected strings are the input's, not copies. */
    const struct vgl_json *y = vgl_json_getz(vgl_json_getz(&in, "x"), "y");
    CHECK(r.u.items[0].u.s == vgl_json_getz(&y->u.items[0], "m")->u.s);
    vgl_arena_reset(&a);
    r = eval_on("[*]", vgl_json_getz(&in, "Records"), &a, &rc, &err);
    CHECK(rc == 0 && r.len == 3 && a.used == 0);
    /* A step-1 slice shares the input's items too. */
    r = eval_on("Records[1:]", &in, &a, &rc, &err);
    CHECK(rc == 0 && r.len == 2 && a.used == 0);
    vgl_arena_release(&docs_arena);
    vgl_arena_release(&a);
}

TEST(deliberate_differences_from_jmespath_py)
{
    struct vgl_arena a;
    struct vgl_buf got;
    struct vgl_error err = {0};
    vgl_arena_init(&a, 0);
    vgl_buf_init(&got, 0);
    /* jmespath.py hands an expression object back; vigil has no such value. */
    run("&a", "{\"a\":1}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "!ETYPE");
    CHECK_STR_CONTAINS(err.msg, "only valid as a function argument");
    run("to_string(&a)", "{\"a\":1}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "!ETYPE");
    run("type(&a)", "{\"a\":1}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "!ETYPE");
    CHECK_STR_EQ(err.msg, "function type(): argument 1: expected number, string, boolean, null, "
                          "array, object, got expref");
    /* jmespath.py type-checks only the first argument of merge(). */
    run("merge(a, b)", "{\"a\":{},\"b\":\"\"}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "!ETYPE");
    /* An ordering comparison of a string with a number is Python's TypeError. */
    run("[?a < `1`]", "[{\"a\":\"x\"}]", &a, &got, &err);
    CHECK_STR_EQ(got.data, "!ETYPE");
    CHECK_STR_EQ(err.msg, "'<' not supported between instances of 'str' and 'int'");
    /* A function type error names the function, the argument and the value. */
    run("sum(a)", "{\"a\":[1,\"two\"]}", &a, &got, &err);
    CHECK_STR_EQ(err.msg,
                 "function sum(): argument 1: expected array-number, got string \"\\\"two\\\"\"");
    run("ceil(`1e400`)", "{}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "!EINVAL");
    vgl_buf_release(&got);
    vgl_arena_release(&a);
}

TEST(built_values_serialise)
{
    struct vgl_arena a;
    struct vgl_buf got;
    struct vgl_error err = {0};
    vgl_arena_init(&a, 0);
    vgl_buf_init(&got, 0);
    /* Keys and strings built by evaluation carry no "needs no escaping" flag. */
    run("{\"a\\\"b\": a, \"c\\n\": keys(@)}", "{\"a\":1,\"q\\\"\":2}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "{\"a\\\"b\":1,\"c\\n\":[\"a\",\"q\\\"\"]}");
    run("join('\"', ['a', 'b'])", "{}", &a, &got, &err);
    CHECK_STR_EQ(got.data, "\"a\\\"b\"");
    vgl_buf_release(&got);
    vgl_arena_release(&a);
}

TEST(source_is_kept)
{
    struct vgl_jmespath *p = vgl_jmespath_compile("a.b[*]  ", 6, NULL);
    CHECK(p != NULL);
    CHECK_STR_EQ(vgl_jmespath_source(p), "a.b[*]");
    vgl_jmespath_free(p);
}

TEST_MAIN(T(table), T(syntax_errors_say_where_and_what), T(functions_are_checked_when_compiling),
          T(limits), T(projections_allocate_at_most_one_array),
          T(deliberate_differences_from_jmespath_py), T(built_values_serialise), T(source_is_kept))
