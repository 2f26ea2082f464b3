/*
 * Unit tests for parse/pyconv.c: Python's str()/repr()/int()/float() and StreamAlert's
 * boolean test.  The table's expected values were produced by CPython 3.11 (str(v),
 * repr(v), int(v), float(v), str(v).lower() == "true" on json.loads(input)); error
 * rows carry Python's exception text, mapped ValueError -> EPARSE, TypeError -> ETYPE,
 * OverflowError -> ELIMIT.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "json/json.h"
#include "parse/pyconv.h"
#include "test.h"

struct pycase {
    const char *op;     /* str, repr, int, float, bool */
    const char *json;   /* input value */
    const char *expect; /* text, "int N", "float X", "error CODE message", True/False */
};

static const struct pycase cases[] = {
    {"str", "null", "None"},
    {"int", "null",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'NoneType'"},
    {"float", "null",
     "error ETYPE float() argument must be a string or a real number, not 'NoneType'"},
    {"bool", "null", "False"},
    {"str", "true", "True"},
    {"int", "true", "int 1"},
    {"float", "true", "float 1.0"},
    {"bool", "true", "True"},
    {"str", "false", "False"},
    {"int", "false", "int 0"},
    {"float", "false", "float 0.0"},
    {"bool", "false", "False"},
    {"str", "0", "0"},
    {"int", "0", "int 0"},
    {"float", "0", "float 0.0"},
    {"bool", "0", "False"},
    {"str", "1", "1"},
    {"int", "1", "int 1"},
    {"float", "1", "float 1.0"},
    {"bool", "1", "False"},
    {"str", "-1", "-1"},
    {"int", "-1", "int -1"},
    {"float", "-1", "float -1.0"},
    {"bool", "-1", "False"},
    {"str", "42", "42"},
    {"int", "42", "int 42"},
    {"float", "42", "float 42.0"},
    {"bool", "42", "False"},
    {"str", "9223372036854775807", "9223372036854775807"},
    {"int", "9223372036854775807", "int 9223372036854775807"},
    {"float", "9223372036854775807", "float 9.223372036854776e+18"},
    {"bool", "9223372036854775807", "False"},
    {"str", "-9223372036854775808", "-9223372036854775808"},
    {"int", "-9223372036854775808", "int -9223372036854775808"},
    {"float", "-9223372036854775808", "float -9.223372036854776e+18"},
    {"bool", "-9223372036854775808", "False"},
    {"str", "9223372036854775808", "9223372036854775808"},
    {"int", "9223372036854775808", "int 9223372036854775808"},
    {"float", "9223372036854775808", "float 9.223372036854776e+18"},
    {"bool", "9223372036854775808", "False"},
    {"str", "-9223372036854775809", "-9223372036854775809"},
    {"int", "-9223372036854775809", "int -9223372036854775809"},
    {"float", "-9223372036854775809", "float -9.223372036854776e+18"},
    {"bool", "-9223372036854775809", "False"},
    {"str", "123456789012345678901234567890", "123456789012345678901234567890"},
    {"int", "123456789012345678901234567890", "int 123456789012345678901234567890"},
    {"float", "123456789012345678901234567890", "float 1.2345678901234568e+29"},
    {"bool", "123456789012345678901234567890", "False"},
    {"str", "0.0", "0.0"},
    {"int", "0.0", "int 0"},
    {"float", "0.0", "float 0.0"},
    {"bool", "0.0", "False"},
    {"str", "-0.0", "-0.0"},
    {"int", "-0.0", "int 0"},
    {"float", "-0.0", "float -0.0"},
    {"bool", "-0.0", "False"},
    {"str", "1.0", "1.0"},
    {"int", "1.0", "int 1"},
    {"float", "1.0", "float 1.0"},
    {"bool", "1.0", "False"},
    {"str", "1e+16", "1e+16"},
    {"int", "1e+16", "int 10000000000000000"},
    {"float", "1e+16", "float 1e+16"},
    {"bool", "1e+16", "False"},
    {"str", "1e-05", "1e-05"},
    {"int", "1e-05", "int 0"},
    {"float", "1e-05", "float 1e-05"},
    {"bool", "1e-05", "False"},
    {"str", "0.0001", "0.0001"},
    {"int", "0.0001", "int 0"},
    {"float", "0.0001", "float 0.0001"},
    {"bool", "0.0001", "False"},
    {"str", "0.1", "0.1"},
    {"int", "0.1", "int 0"},
    {"float", "0.1", "float 0.1"},
    {"bool", "0.1", "False"},
    {"str", "1.5", "1.5"},
    {"int", "1.5", "int 1"},
    {"float", "1.5", "float 1.5"},
    {"bool", "1.5", "False"},
    {"str", "-2.5", "-2.5"},
    {"int", "-2.5", "int -2"},
    {"float", "-2.5", "float -2.5"},
    {"bool", "-2.5", "False"},
    {"str", "1.9", "1.9"},
    {"int", "1.9", "int 1"},
    {"float", "1.9", "float 1.9"},
    {"bool", "1.9", "False"},
    {"str", "-1.9", "-1.9"},
    {"int", "-1.9", "int -1"},
    {"float", "-1.9", "float -1.9"},
    {"bool", "-1.9", "False"},
    {"str", "0.5", "0.5"},
    {"int", "0.5", "int 0"},
    {"float", "0.5", "float 0.5"},
    {"bool", "0.5", "False"},
    {"str", "1e+300", "1e+300"},
    {"int", "1e+300",
     "int 10000000000000000525047602552044202487044685811081591549158541155118024579889081"
     "957863713750804478640437044438328838781769425232353604305756447921847867069828483872"
     "009265758037378302337947880900593689532349707999450811190389676408800746527427801424"
     "94579258788820056842838115669472196386865459400540160"},
    {"float", "1e+300", "float 1e+300"},
    {"bool", "1e+300", "False"},
    {"str", "1.7976931348623157e+308", "1.7976931348623157e+308"},
    {"int", "1.7976931348623157e+308",
     "int 17976931348623157081452742373170435679807056752584499659891747680315726078002853"
     "876058955863276687817154045895351438246423432132688946418276846754670353751698604991"
     "057655128207624549009038932894407586850845513394230458323690322294816580855933212334"
     "8274797826204144723168738177180919299881250404026184124858368"},
    {"float", "1.7976931348623157e+308", "float 1.7976931348623157e+308"},
    {"bool", "1.7976931348623157e+308", "False"},
    {"str", "5e-324", "5e-324"},
    {"int", "5e-324", "int 0"},
    {"float", "5e-324", "float 5e-324"},
    {"bool", "5e-324", "False"},
    {"str", "123456789.123", "123456789.123"},
    {"int", "123456789.123", "int 123456789"},
    {"float", "123456789.123", "float 123456789.123"},
    {"bool", "123456789.123", "False"},
    {"str", "1e+22", "1e+22"},
    {"int", "1e+22", "int 10000000000000000000000"},
    {"float", "1e+22", "float 1e+22"},
    {"bool", "1e+22", "False"},
    {"str", "9.2e+18", "9.2e+18"},
    {"int", "9.2e+18", "int 9200000000000000000"},
    {"float", "9.2e+18", "float 9.2e+18"},
    {"bool", "9.2e+18", "False"},
    {"str", "1000000000000000.0", "1000000000000000.0"},
    {"int", "1000000000000000.0", "int 1000000000000000"},
    {"float", "1000000000000000.0", "float 1000000000000000.0"},
    {"bool", "1000000000000000.0", "False"},
    {"str", "1.2345678901234568e+20", "1.2345678901234568e+20"},
    {"int", "1.2345678901234568e+20", "int 123456789012345683968"},
    {"float", "1.2345678901234568e+20", "float 1.2345678901234568e+20"},
    {"bool", "1.2345678901234568e+20", "False"},
    {"str", "3.14159", "3.14159"},
    {"int", "3.14159", "int 3"},
    {"float", "3.14159", "float 3.14159"},
    {"bool", "3.14159", "False"},
    {"str", "100.0", "100.0"},
    {"int", "100.0", "int 100"},
    {"float", "100.0", "float 100.0"},
    {"bool", "100.0", "False"},
    {"str", "1234567890123456.8", "1234567890123456.8"},
    {"int", "1234567890123456.8", "int 1234567890123456"},
    {"float", "1234567890123456.8", "float 1234567890123456.8"},
    {"bool", "1234567890123456.8", "False"},
    {"str", "1.2345678901234568e+16", "1.2345678901234568e+16"},
    {"int", "1.2345678901234568e+16", "int 12345678901234568"},
    {"float", "1.2345678901234568e+16", "float 1.2345678901234568e+16"},
    {"bool", "1.2345678901234568e+16", "False"},
    {"repr", "\"\"", "''"},
    {"int", "\"\"", "error EPARSE invalid literal for int() with base 10: ''"},
    {"float", "\"\"", "error EPARSE could not convert string to float: ''"},
    {"bool", "\"\"", "False"},
    {"repr", "\"a\"", "'a'"},
    {"int", "\"a\"", "error EPARSE invalid literal for int() with base 10: 'a'"},
    {"float", "\"a\"", "error EPARSE could not convert string to float: 'a'"},
    {"bool", "\"a\"", "False"},
    {"repr", "\"'\"", "\"'\""},
    {"int", "\"'\"", "error EPARSE invalid literal for int() with base 10: \"'\""},
    {"float", "\"'\"", "error EPARSE could not convert string to float: \"'\""},
    {"bool", "\"'\"", "False"},
    {"repr", "\"\\\"\"", "'\"'"},
    {"int", "\"\\\"\"", "error EPARSE invalid literal for int() with base 10: '\"'"},
    {"float", "\"\\\"\"", "error EPARSE could not convert string to float: '\"'"},
    {"bool", "\"\\\"\"", "False"},
    {"repr", "\"'\\\"\"", "'\\'\"'"},
    {"int", "\"'\\\"\"", "error EPARSE invalid literal for int() with base 10: '\\'\"'"},
    {"float", "\"'\\\"\"", "error EPARSE could not convert string to float: '\\'\"'"},
    {"bool", "\"'\\\"\"", "False"},
    {"repr", "\"a'b\"", "\"a'b\""},
    {"int", "\"a'b\"", "error EPARSE invalid literal for int() with base 10: \"a'b\""},
    {"float", "\"a'b\"", "error EPARSE could not convert string to float: \"a'b\""},
    {"bool", "\"a'b\"", "False"},
    {"repr", "\"a\\\"b\"", "'a\"b'"},
    {"int", "\"a\\\"b\"", "error EPARSE invalid literal for int() with base 10: 'a\"b'"},
    {"float", "\"a\\\"b\"", "error EPARSE could not convert string to float: 'a\"b'"},
    {"bool", "\"a\\\"b\"", "False"},
    {"repr", "\"\\\\\"", "'\\\\'"},
    {"int", "\"\\\\\"", "error EPARSE invalid literal for int() with base 10: '\\\\'"},
    {"float", "\"\\\\\"", "error EPARSE could not convert string to float: '\\\\'"},
    {"bool", "\"\\\\\"", "False"},
    {"repr", "\"\\n\\t\\r\"", "'\\n\\t\\r'"},
    {"int", "\"\\n\\t\\r\"", "error EPARSE invalid literal for int() with base 10: '\\n\\t\\r'"},
    {"float", "\"\\n\\t\\r\"", "error EPARSE could not convert string to float: '\\n\\t\\r'"},
    {"bool", "\"\\n\\t\\r\"", "False"},
    {"repr", "\"\\u0001\\u001f\\u007f\"", "'\\x01\\x1f\\x7f'"},
    {"int", "\"\\u0001\\u001f\\u007f\"",
     "error EPARSE invalid literal for int() with base 10: '\\x01\\x1f\\x7f'"},
    {"float", "\"\\u0001\\u001f\\u007f\"",
     "error EPARSE could not convert string to float: '\\x01\\x1f\\x7f'"},
    {"bool", "\"\\u0001\\u001f\\u007f\"", "False"},
    {"repr", "\"\\u0080\\u009f\\u00a0\\u00ad\"", "'\\x80\\x9f\\xa0\\xad'"},
    {"int", "\"\\u0080\\u009f\\u00a0\\u00ad\"",
     "error EPARSE invalid literal for int() with base 10: '\\x80\\x9f\\xa0\\xad'"},
    {"float", "\"\\u0080\\u009f\\u00a0\\u00ad\"",
     "error EPARSE could not convert string to float: '\\x80\\x9f\\xa0\\xad'"},
    {"bool", "\"\\u0080\\u009f\\u00a0\\u00ad\"", "False"},
    {"repr", "\"\\u00e9\"", "'\303\251'"},
    {"int", "\"\\u00e9\"", "error EPARSE invalid literal for int() with base 10: '\303\251'"},
    {"float", "\"\\u00e9\"", "error EPARSE could not convert string to float: '\303\251'"},
    {"bool", "\"\\u00e9\"", "False"},
    {"repr", "\"\\u2028\\u2029\"", "'\\u2028\\u2029'"},
    {"int", "\"\\u2028\\u2029\"",
     "error EPARSE invalid literal for int() with base 10: '\\u2028\\u2029'"},
    {"float", "\"\\u2028\\u2029\"",
     "error EPARSE could not convert string to float: '\\u2028\\u2029'"},
    {"bool", "\"\\u2028\\u2029\"", "False"},
    {"repr", "\"\\u200b\"", "'\\u200b'"},
    {"int", "\"\\u200b\"", "error EPARSE invalid literal for int() with base 10: '\\u200b'"},
    {"float", "\"\\u200b\"", "error EPARSE could not convert string to float: '\\u200b'"},
    {"bool", "\"\\u200b\"", "False"},
    {"repr", "\"\\ufeff\"", "'\\ufeff'"},
    {"int", "\"\\ufeff\"", "error EPARSE invalid literal for int() with base 10: '\\ufeff'"},
    {"float", "\"\\ufeff\"", "error EPARSE could not convert string to float: '\\ufeff'"},
    {"bool", "\"\\ufeff\"", "False"},
    {"repr", "\"\\ue000\"", "'\\ue000'"},
    {"int", "\"\\ue000\"", "error EPARSE invalid literal for int() with base 10: '\\ue000'"},
    {"float", "\"\\ue000\"", "error EPARSE could not convert string to float: '\\ue000'"},
    {"bool", "\"\\ue000\"", "False"},
    {"repr", "\"\\ud83d\\ude00\"", "'\360\237\230\200'"},
    {"int", "\"\\ud83d\\ude00\"",
     "error EPARSE invalid literal for int() with base 10: '\360\237\230\200'"},
    {"float", "\"\\ud83d\\ude00\"",
     "error EPARSE could not convert string to float: '\360\237\230\200'"},
    {"bool", "\"\\ud83d\\ude00\"", "False"},
    {"repr", "\"\\udb40\\udc01\"", "'\\U000e0001'"},
    {"int", "\"\\udb40\\udc01\"",
     "error EPARSE invalid literal for int() with base 10: '\\U000e0001'"},
    {"float", "\"\\udb40\\udc01\"",
     "error EPARSE could not convert string to float: '\\U000e0001'"},
    {"bool", "\"\\udb40\\udc01\"", "False"},
    {"repr", "\"\\u0378\"", "'\\u0378'"},
    {"int", "\"\\u0378\"", "error EPARSE invalid literal for int() with base 10: '\\u0378'"},
    {"float", "\"\\u0378\"", "error EPARSE could not convert string to float: '\\u0378'"},
    {"bool", "\"\\u0378\"", "False"},
    {"repr", "\"\\u65e5\\u672c\"", "'\346\227\245\346\234\254'"},
    {"int", "\"\\u65e5\\u672c\"",
     "error EPARSE invalid literal for int() with base 10: '\346\227\245\346\234\254'"},
    {"float", "\"\\u65e5\\u672c\"",
     "error EPARSE could not convert string to float: '\346\227\245\346\234\254'"},
    {"bool", "\"\\u65e5\\u672c\"", "False"},
    {"repr", "\"\\u3000\"", "'\\u3000'"},
    {"int", "\"\\u3000\"", "error EPARSE invalid literal for int() with base 10: '\\u3000'"},
    {"float", "\"\\u3000\"", "error EPARSE could not convert string to float: '\\u3000'"},
    {"bool", "\"\\u3000\"", "False"},
    {"repr", "\"\\u00b2\"", "'\302\262'"},
    {"int", "\"\\u00b2\"", "error EPARSE invalid literal for int() with base 10: '\302\262'"},
    {"float", "\"\\u00b2\"", "error EPARSE could not convert string to float: '\302\262'"},
    {"bool", "\"\\u00b2\"", "False"},
    {"repr", "\"1\"", "'1'"},
    {"int", "\"1\"", "int 1"},
    {"float", "\"1\"", "float 1.0"},
    {"bool", "\"1\"", "False"},
    {"repr", "\" 12 \"", "' 12 '"},
    {"int", "\" 12 \"", "int 12"},
    {"float", "\" 12 \"", "float 12.0"},
    {"bool", "\" 12 \"", "False"},
    {"repr", "\"+5\"", "'+5'"},
    {"int", "\"+5\"", "int 5"},
    {"float", "\"+5\"", "float 5.0"},
    {"bool", "\"+5\"", "False"},
    {"repr", "\"-0\"", "'-0'"},
    {"int", "\"-0\"", "int 0"},
    {"float", "\"-0\"", "float -0.0"},
    {"bool", "\"-0\"", "False"},
    {"repr", "\"-00\"", "'-00'"},
    {"int", "\"-00\"", "int 0"},
    {"float", "\"-00\"", "float -0.0"},
    {"bool", "\"-00\"", "False"},
    {"repr", "\"007\"", "'007'"},
    {"int", "\"007\"", "int 7"},
    {"float", "\"007\"", "float 7.0"},
    {"bool", "\"007\"", "False"},
    {"repr", "\"1_000\"", "'1_000'"},
    {"int", "\"1_000\"", "int 1000"},
    {"float", "\"1_000\"", "float 1000.0"},
    {"bool", "\"1_000\"", "False"},
    {"repr", "\"1__0\"", "'1__0'"},
    {"int", "\"1__0\"", "error EPARSE invalid literal for int() with base 10: '1__0'"},
    {"float", "\"1__0\"", "error EPARSE could not convert string to float: '1__0'"},
    {"bool", "\"1__0\"", "False"},
    {"repr", "\"_1\"", "'_1'"},
    {"int", "\"_1\"", "error EPARSE invalid literal for int() with base 10: '_1'"},
    {"float", "\"_1\"", "error EPARSE could not convert string to float: '_1'"},
    {"bool", "\"_1\"", "False"},
    {"repr", "\"1_\"", "'1_'"},
    {"int", "\"1_\"", "error EPARSE invalid literal for int() with base 10: '1_'"},
    {"float", "\"1_\"", "error EPARSE could not convert string to float: '1_'"},
    {"bool", "\"1_\"", "False"},
    {"repr", "\"1.5\"", "'1.5'"},
    {"int", "\"1.5\"", "error EPARSE invalid literal for int() with base 10: '1.5'"},
    {"float", "\"1.5\"", "float 1.5"},
    {"bool", "\"1.5\"", "False"},
    {"repr", "\"1e3\"", "'1e3'"},
    {"int", "\"1e3\"", "error EPARSE invalid literal for int() with base 10: '1e3'"},
    {"float", "\"1e3\"", "float 1000.0"},
    {"bool", "\"1e3\"", "False"},
    {"repr", "\"0x10\"", "'0x10'"},
    {"int", "\"0x10\"", "error EPARSE invalid literal for int() with base 10: '0x10'"},
    {"float", "\"0x10\"", "error EPARSE could not convert string to float: '0x10'"},
    {"bool", "\"0x10\"", "False"},
    {"repr", "\"0b1\"", "'0b1'"},
    {"int", "\"0b1\"", "error EPARSE invalid literal for int() with base 10: '0b1'"},
    {"float", "\"0b1\"", "error EPARSE could not convert string to float: '0b1'"},
    {"bool", "\"0b1\"", "False"},
    {"repr", "\"0o7\"", "'0o7'"},
    {"int", "\"0o7\"", "error EPARSE invalid literal for int() with base 10: '0o7'"},
    {"float", "\"0o7\"", "error EPARSE could not convert string to float: '0o7'"},
    {"bool", "\"0o7\"", "False"},
    {"repr", "\"\\u0661\\u0662\"", "'\331\241\331\242'"},
    {"int", "\"\\u0661\\u0662\"", "int 12"},
    {"float", "\"\\u0661\\u0662\"", "float 12.0"},
    {"bool", "\"\\u0661\\u0662\"", "False"},
    {"repr", "\"\\uff11\\uff12\"", "'\357\274\221\357\274\222'"},
    {"int", "\"\\uff11\\uff12\"", "int 12"},
    {"float", "\"\\uff11\\uff12\"", "float 12.0"},
    {"bool", "\"\\uff11\\uff12\"", "False"},
    {"repr", "\"1\\u0663\"", "'1\331\243'"},
    {"int", "\"1\\u0663\"", "int 13"},
    {"float", "\"1\\u0663\"", "float 13.0"},
    {"bool", "\"1\\u0663\"", "False"},
    {"repr", "\"\\u30001\\u3000\"", "'\\u30001\\u3000'"},
    {"int", "\"\\u30001\\u3000\"", "int 1"},
    {"float", "\"\\u30001\\u3000\"", "float 1.0"},
    {"bool", "\"\\u30001\\u3000\"", "False"},
    {"repr", "\"\\u000b1\\f\"", "'\\x0b1\\x0c'"},
    {"int", "\"\\u000b1\\f\"", "int 1"},
    {"float", "\"\\u000b1\\f\"", "float 1.0"},
    {"bool", "\"\\u000b1\\f\"", "False"},
    {"repr", "\"\\u001c1\"", "'\\x1c1'"},
    {"int", "\"\\u001c1\"", "error EPARSE invalid literal for int() with base 10: '\\x1c1'"},
    {"float", "\"\\u001c1\"", "error EPARSE could not convert string to float: '\\x1c1'"},
    {"bool", "\"\\u001c1\"", "False"},
    {"repr", "\"\\u00851\\u00a0\"", "'\\x851\\xa0'"},
    {"int", "\"\\u00851\\u00a0\"", "int 1"},
    {"float", "\"\\u00851\\u00a0\"", "float 1.0"},
    {"bool", "\"\\u00851\\u00a0\"", "False"},
    {"repr", "\"1\\u2007\"", "'1\\u2007'"},
    {"int", "\"1\\u2007\"", "int 1"},
    {"float", "\"1\\u2007\"", "float 1.0"},
    {"bool", "\"1\\u2007\"", "False"},
    {"repr", "\"nan\"", "'nan'"},
    {"int", "\"nan\"", "error EPARSE invalid literal for int() with base 10: 'nan'"},
    {"float", "\"nan\"", "float nan"},
    {"bool", "\"nan\"", "False"},
    {"repr", "\"NaN\"", "'NaN'"},
    {"int", "\"NaN\"", "error EPARSE invalid literal for int() with base 10: 'NaN'"},
    {"float", "\"NaN\"", "float nan"},
    {"bool", "\"NaN\"", "False"},
    {"repr", "\"-nan\"", "'-nan'"},
    {"int", "\"-nan\"", "error EPARSE invalid literal for int() with base 10: '-nan'"},
    {"float", "\"-nan\"", "float nan"},
    {"bool", "\"-nan\"", "False"},
    {"repr", "\"inf\"", "'inf'"},
    {"int", "\"inf\"", "error EPARSE invalid literal for int() with base 10: 'inf'"},
    {"float", "\"inf\"", "float inf"},
    {"bool", "\"inf\"", "False"},
    {"repr", "\"-Infinity\"", "'-Infinity'"},
    {"int", "\"-Infinity\"", "error EPARSE invalid literal for int() with base 10: '-Infinity'"},
    {"float", "\"-Infinity\"", "float -inf"},
    {"bool", "\"-Infinity\"", "False"},
    {"repr", "\"iNfInItY\"", "'iNfInItY'"},
    {"int", "\"iNfInItY\"", "error EPARSE invalid literal for int() with base 10: 'iNfInItY'"},
    {"float", "\"iNfInItY\"", "float inf"},
    {"bool", "\"iNfInItY\"", "False"},
    {"repr", "\"infinit\"", "'infinit'"},
    {"int", "\"infinit\"", "error EPARSE invalid literal for int() with base 10: 'infinit'"},
    {"float", "\"infinit\"", "error EPARSE could not convert string to float: 'infinit'"},
    {"bool", "\"infinit\"", "False"},
    {"repr", "\"in f\"", "'in f'"},
    {"int", "\"in f\"", "error EPARSE invalid literal for int() with base 10: 'in f'"},
    {"float", "\"in f\"", "error EPARSE could not convert string to float: 'in f'"},
    {"bool", "\"in f\"", "False"},
    {"repr", "\"+inf\"", "'+inf'"},
    {"int", "\"+inf\"", "error EPARSE invalid literal for int() with base 10: '+inf'"},
    {"float", "\"+inf\"", "float inf"},
    {"bool", "\"+inf\"", "False"},
    {"repr", "\"nan(1)\"", "'nan(1)'"},
    {"int", "\"nan(1)\"", "error EPARSE invalid literal for int() with base 10: 'nan(1)'"},
    {"float", "\"nan(1)\"", "error EPARSE could not convert string to float: 'nan(1)'"},
    {"bool", "\"nan(1)\"", "False"},
    {"repr", "\" 1_0.5 \"", "' 1_0.5 '"},
    {"int", "\" 1_0.5 \"", "error EPARSE invalid literal for int() with base 10: ' 1_0.5 '"},
    {"float", "\" 1_0.5 \"", "float 10.5"},
    {"bool", "\" 1_0.5 \"", "False"},
    {"repr", "\"1_0.5\"", "'1_0.5'"},
    {"int", "\"1_0.5\"", "error EPARSE invalid literal for int() with base 10: '1_0.5'"},
    {"float", "\"1_0.5\"", "float 10.5"},
    {"bool", "\"1_0.5\"", "False"},
    {"repr", "\"1._5\"", "'1._5'"},
    {"int", "\"1._5\"", "error EPARSE invalid literal for int() with base 10: '1._5'"},
    {"float", "\"1._5\"", "error EPARSE could not convert string to float: '1._5'"},
    {"bool", "\"1._5\"", "False"},
    {"repr", "\"1_.5\"", "'1_.5'"},
    {"int", "\"1_.5\"", "error EPARSE invalid literal for int() with base 10: '1_.5'"},
    {"float", "\"1_.5\"", "error EPARSE could not convert string to float: '1_.5'"},
    {"bool", "\"1_.5\"", "False"},
    {"repr", "\".5\"", "'.5'"},
    {"int", "\".5\"", "error EPARSE invalid literal for int() with base 10: '.5'"},
    {"float", "\".5\"", "float 0.5"},
    {"bool", "\".5\"", "False"},
    {"repr", "\"5.\"", "'5.'"},
    {"int", "\"5.\"", "error EPARSE invalid literal for int() with base 10: '5.'"},
    {"float", "\"5.\"", "float 5.0"},
    {"bool", "\"5.\"", "False"},
    {"repr", "\".\"", "'.'"},
    {"int", "\".\"", "error EPARSE invalid literal for int() with base 10: '.'"},
    {"float", "\".\"", "error EPARSE could not convert string to float: '.'"},
    {"bool", "\".\"", "False"},
    {"repr", "\"-.5e-3\"", "'-.5e-3'"},
    {"int", "\"-.5e-3\"", "error EPARSE invalid literal for int() with base 10: '-.5e-3'"},
    {"float", "\"-.5e-3\"", "float -0.0005"},
    {"bool", "\"-.5e-3\"", "False"},
    {"repr", "\"1e\"", "'1e'"},
    {"int", "\"1e\"", "error EPARSE invalid literal for int() with base 10: '1e'"},
    {"float", "\"1e\"", "error EPARSE could not convert string to float: '1e'"},
    {"bool", "\"1e\"", "False"},
    {"repr", "\"1e+\"", "'1e+'"},
    {"int", "\"1e+\"", "error EPARSE invalid literal for int() with base 10: '1e+'"},
    {"float", "\"1e+\"", "error EPARSE could not convert string to float: '1e+'"},
    {"bool", "\"1e+\"", "False"},
    {"repr", "\"1e1_0\"", "'1e1_0'"},
    {"int", "\"1e1_0\"", "error EPARSE invalid literal for int() with base 10: '1e1_0'"},
    {"float", "\"1e1_0\"", "float 10000000000.0"},
    {"bool", "\"1e1_0\"", "False"},
    {"repr", "\"1_e1\"", "'1_e1'"},
    {"int", "\"1_e1\"", "error EPARSE invalid literal for int() with base 10: '1_e1'"},
    {"float", "\"1_e1\"", "error EPARSE could not convert string to float: '1_e1'"},
    {"bool", "\"1_e1\"", "False"},
    {"repr", "\"1e-400\"", "'1e-400'"},
    {"int", "\"1e-400\"", "error EPARSE invalid literal for int() with base 10: '1e-400'"},
    {"float", "\"1e-400\"", "float 0.0"},
    {"bool", "\"1e-400\"", "False"},
    {"repr", "\"1e400\"", "'1e400'"},
    {"int", "\"1e400\"", "error EPARSE invalid literal for int() with base 10: '1e400'"},
    {"float", "\"1e400\"", "float inf"},
    {"bool", "\"1e400\"", "False"},
    {"repr", "\"-1e400\"", "'-1e400'"},
    {"int", "\"-1e400\"", "error EPARSE invalid literal for int() with base 10: '-1e400'"},
    {"float", "\"-1e400\"", "float -inf"},
    {"bool", "\"-1e400\"", "False"},
    {"repr", "\"111111111111111111111111111111\"", "'111111111111111111111111111111'"},
    {"int", "\"111111111111111111111111111111\"", "int 111111111111111111111111111111"},
    {"float", "\"111111111111111111111111111111\"", "float 1.111111111111111e+29"},
    {"bool", "\"111111111111111111111111111111\"", "False"},
    {"repr", "\"-9999999999999999999999999\"", "'-9999999999999999999999999'"},
    {"int", "\"-9999999999999999999999999\"", "int -9999999999999999999999999"},
    {"float", "\"-9999999999999999999999999\"", "float -1e+25"},
    {"bool", "\"-9999999999999999999999999\"", "False"},
    {"repr", "\"000000000000000000001\"", "'000000000000000000001'"},
    {"int", "\"000000000000000000001\"", "int 1"},
    {"float", "\"000000000000000000001\"", "float 1.0"},
    {"bool", "\"000000000000000000001\"", "False"},
    {"repr", "\"+000000000000000000000000000000\"", "'+000000000000000000000000000000'"},
    {"int", "\"+000000000000000000000000000000\"", "int 0"},
    {"float", "\"+000000000000000000000000000000\"", "float 0.0"},
    {"bool", "\"+000000000000000000000000000000\"", "False"},
    {"repr", "\"0.00000000000000000000000000000000000000001e40\"",
     "'0.00000000000000000000000000000000000000001e40'"},
    {"int", "\"0.00000000000000000000000000000000000000001e40\"",
     "error EPARSE invalid literal for int() with base 10: '0.0000000000000000000000000000"
     "0000000000001e40'"},
    {"float", "\"0.00000000000000000000000000000000000000001e40\"", "float 0.1"},
    {"bool", "\"0.00000000000000000000000000000000000000001e40\"", "False"},
    {"repr", "\"1.7976931348623159e308\"", "'1.7976931348623159e308'"},
    {"int", "\"1.7976931348623159e308\"",
     "error EPARSE invalid literal for int() with base 10: '1.7976931348623159e308'"},
    {"float", "\"1.7976931348623159e308\"", "float inf"},
    {"bool", "\"1.7976931348623159e308\"", "False"},
    {"repr", "\"2.4703282292062328e-324\"", "'2.4703282292062328e-324'"},
    {"int", "\"2.4703282292062328e-324\"",
     "error EPARSE invalid literal for int() with base 10: '2.4703282292062328e-324'"},
    {"float", "\"2.4703282292062328e-324\"", "float 5e-324"},
    {"bool", "\"2.4703282292062328e-324\"", "False"},
    {"repr", "\"2.4703282292062327e-324\"", "'2.4703282292062327e-324'"},
    {"int", "\"2.4703282292062327e-324\"",
     "error EPARSE invalid literal for int() with base 10: '2.4703282292062327e-324'"},
    {"float", "\"2.4703282292062327e-324\"", "float 0.0"},
    {"bool", "\"2.4703282292062327e-324\"", "False"},
    {"repr", "\"9007199254740993\"", "'9007199254740993'"},
    {"int", "\"9007199254740993\"", "int 9007199254740993"},
    {"float", "\"9007199254740993\"", "float 9007199254740992.0"},
    {"bool", "\"9007199254740993\"", "False"},
    {"repr", "\"0.1e1\"", "'0.1e1'"},
    {"int", "\"0.1e1\"", "error EPARSE invalid literal for int() with base 10: '0.1e1'"},
    {"float", "\"0.1e1\"", "float 1.0"},
    {"bool", "\"0.1e1\"", "False"},
    {"repr", "\"1E5\"", "'1E5'"},
    {"int", "\"1E5\"", "error EPARSE invalid literal for int() with base 10: '1E5'"},
    {"float", "\"1E5\"", "float 100000.0"},
    {"bool", "\"1E5\"", "False"},
    {"repr", "\"1e05\"", "'1e05'"},
    {"int", "\"1e05\"", "error EPARSE invalid literal for int() with base 10: '1e05'"},
    {"float", "\"1e05\"", "float 100000.0"},
    {"bool", "\"1e05\"", "False"},
    {"repr", "\"\\u0661.\\u0665\"", "'\331\241.\331\245'"},
    {"int", "\"\\u0661.\\u0665\"",
     "error EPARSE invalid literal for int() with base 10: '\331\241.\331\245'"},
    {"float", "\"\\u0661.\\u0665\"", "float 1.5"},
    {"bool", "\"\\u0661.\\u0665\"", "False"},
    {"repr", "\"1,5\"", "'1,5'"},
    {"int", "\"1,5\"", "error EPARSE invalid literal for int() with base 10: '1,5'"},
    {"float", "\"1,5\"", "error EPARSE could not convert string to float: '1,5'"},
    {"bool", "\"1,5\"", "False"},
    {"repr", "\"++1\"", "'++1'"},
    {"int", "\"++1\"", "error EPARSE invalid literal for int() with base 10: '++1'"},
    {"float", "\"++1\"", "error EPARSE could not convert string to float: '++1'"},
    {"bool", "\"++1\"", "False"},
    {"repr", "\"1 1\"", "'1 1'"},
    {"int", "\"1 1\"", "error EPARSE invalid literal for int() with base 10: '1 1'"},
    {"float", "\"1 1\"", "error EPARSE could not convert string to float: '1 1'"},
    {"bool", "\"1 1\"", "False"},
    {"repr", "\"- 1\"", "'- 1'"},
    {"int", "\"- 1\"", "error EPARSE invalid literal for int() with base 10: '- 1'"},
    {"float", "\"- 1\"", "error EPARSE could not convert string to float: '- 1'"},
    {"bool", "\"- 1\"", "False"},
    {"repr", "\"\\u22121\"", "'\342\210\2221'"},
    {"int", "\"\\u22121\"", "error EPARSE invalid literal for int() with base 10: '\342\210\2221'"},
    {"float", "\"\\u22121\"", "error EPARSE could not convert string to float: '\342\210\2221'"},
    {"bool", "\"\\u22121\"", "False"},
    {"repr", "\"1\\u0000\"", "'1\\x00'"},
    {"int", "\"1\\u0000\"", "error EPARSE invalid literal for int() with base 10: '1\\x00'"},
    {"float", "\"1\\u0000\"", "error EPARSE could not convert string to float: '1\\x00'"},
    {"bool", "\"1\\u0000\"", "False"},
    {"repr", "\"True\"", "'True'"},
    {"int", "\"True\"", "error EPARSE invalid literal for int() with base 10: 'True'"},
    {"float", "\"True\"", "error EPARSE could not convert string to float: 'True'"},
    {"bool", "\"True\"", "True"},
    {"repr", "\"TRUE\"", "'TRUE'"},
    {"int", "\"TRUE\"", "error EPARSE invalid literal for int() with base 10: 'TRUE'"},
    {"float", "\"TRUE\"", "error EPARSE could not convert string to float: 'TRUE'"},
    {"bool", "\"TRUE\"", "True"},
    {"repr", "\"true\"", "'true'"},
    {"int", "\"true\"", "error EPARSE invalid literal for int() with base 10: 'true'"},
    {"float", "\"true\"", "error EPARSE could not convert string to float: 'true'"},
    {"bool", "\"true\"", "True"},
    {"repr", "\"tRuE\"", "'tRuE'"},
    {"int", "\"tRuE\"", "error EPARSE invalid literal for int() with base 10: 'tRuE'"},
    {"float", "\"tRuE\"", "error EPARSE could not convert string to float: 'tRuE'"},
    {"bool", "\"tRuE\"", "True"},
    {"repr", "\" true\"", "' true'"},
    {"int", "\" true\"", "error EPARSE invalid literal for int() with base 10: ' true'"},
    {"float", "\" true\"", "error EPARSE could not convert string to float: ' true'"},
    {"bool", "\" true\"", "False"},
    {"repr", "\"true \"", "'true '"},
    {"int", "\"true \"", "error EPARSE invalid literal for int() with base 10: 'true '"},
    {"float", "\"true \"", "error EPARSE could not convert string to float: 'true '"},
    {"bool", "\"true \"", "False"},
    {"repr", "\"yes\"", "'yes'"},
    {"int", "\"yes\"", "error EPARSE invalid literal for int() with base 10: 'yes'"},
    {"float", "\"yes\"", "error EPARSE could not convert string to float: 'yes'"},
    {"bool", "\"yes\"", "False"},
    {"repr", "\"\\u1d1brue\"", "'\341\264\233rue'"},
    {"int", "\"\\u1d1brue\"",
     "error EPARSE invalid literal for int() with base 10: '\341\264\233rue'"},
    {"float", "\"\\u1d1brue\"",
     "error EPARSE could not convert string to float: '\341\264\233rue'"},
    {"bool", "\"\\u1d1brue\"", "False"},
    {"repr", "\"False\"", "'False'"},
    {"int", "\"False\"", "error EPARSE invalid literal for int() with base 10: 'False'"},
    {"float", "\"False\"", "error EPARSE could not convert string to float: 'False'"},
    {"bool", "\"False\"", "False"},
    {"repr", "\"None\"", "'None'"},
    {"int", "\"None\"", "error EPARSE invalid literal for int() with base 10: 'None'"},
    {"float", "\"None\"", "error EPARSE could not convert string to float: 'None'"},
    {"bool", "\"None\"", "False"},
    {"str", "[]", "[]"},
    {"repr", "[]", "[]"},
    {"int", "[]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[]", "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[]", "False"},
    {"str", "{}", "{}"},
    {"repr", "{}", "{}"},
    {"int", "{}",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'dict'"},
    {"float", "{}", "error ETYPE float() argument must be a string or a real number, not 'dict'"},
    {"bool", "{}", "False"},
    {"str", "[1, 2.5, \"a\"]", "[1, 2.5, 'a']"},
    {"repr", "[1, 2.5, \"a\"]", "[1, 2.5, 'a']"},
    {"int", "[1, 2.5, \"a\"]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[1, 2.5, \"a\"]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[1, 2.5, \"a\"]", "False"},
    {"str", "{\"k\": true, \"n\": null, \"x\": [1, 2.5, \"a\"]}",
     "{'k': True, 'n': None, 'x': [1, 2.5, 'a']}"},
    {"repr", "{\"k\": true, \"n\": null, \"x\": [1, 2.5, \"a\"]}",
     "{'k': True, 'n': None, 'x': [1, 2.5, 'a']}"},
    {"int", "{\"k\": true, \"n\": null, \"x\": [1, 2.5, \"a\"]}",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'dict'"},
    {"float", "{\"k\": true, \"n\": null, \"x\": [1, 2.5, \"a\"]}",
     "error ETYPE float() argument must be a string or a real number, not 'dict'"},
    {"bool", "{\"k\": true, \"n\": null, \"x\": [1, 2.5, \"a\"]}", "False"},
    {"str", "{\"a'b\": \"c\\\"d\", \"\\u00e9\": [\"\\n\", \"\\u007f\", \"\\u0378\"]}",
     "{\"a'b\": 'c\"d', '\303\251': ['\\n', '\\x7f', '\\u0378']}"},
    {"repr", "{\"a'b\": \"c\\\"d\", \"\\u00e9\": [\"\\n\", \"\\u007f\", \"\\u0378\"]}",
     "{\"a'b\": 'c\"d', '\303\251': ['\\n', '\\x7f', '\\u0378']}"},
    {"int", "{\"a'b\": \"c\\\"d\", \"\\u00e9\": [\"\\n\", \"\\u007f\", \"\\u0378\"]}",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'dict'"},
    {"float", "{\"a'b\": \"c\\\"d\", \"\\u00e9\": [\"\\n\", \"\\u007f\", \"\\u0378\"]}",
     "error ETYPE float() argument must be a string or a real number, not 'dict'"},
    {"bool", "{\"a'b\": \"c\\\"d\", \"\\u00e9\": [\"\\n\", \"\\u007f\", \"\\u0378\"]}", "False"},
    {"str", "[[[]], {}, [{}]]", "[[[]], {}, [{}]]"},
    {"repr", "[[[]], {}, [{}]]", "[[[]], {}, [{}]]"},
    {"int", "[[[]], {}, [{}]]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[[[]], {}, [{}]]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[[[]], {}, [{}]]", "False"},
    {"str", "{\"\": \"\"}", "{'': ''}"},
    {"repr", "{\"\": \"\"}", "{'': ''}"},
    {"int", "{\"\": \"\"}",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'dict'"},
    {"float", "{\"\": \"\"}",
     "error ETYPE float() argument must be a string or a real number, not 'dict'"},
    {"bool", "{\"\": \"\"}", "False"},
    {"str", "[null, true, false, 1e+16, -0.0, 1.0]", "[None, True, False, 1e+16, -0.0, 1.0]"},
    {"repr", "[null, true, false, 1e+16, -0.0, 1.0]", "[None, True, False, 1e+16, -0.0, 1.0]"},
    {"int", "[null, true, false, 1e+16, -0.0, 1.0]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[null, true, false, 1e+16, -0.0, 1.0]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[null, true, false, 1e+16, -0.0, 1.0]", "False"},
    {"str", "[\"'\", \"\\\"\", \"'\\\"\"]", "[\"'\", '\"', '\\'\"']"},
    {"repr", "[\"'\", \"\\\"\", \"'\\\"\"]", "[\"'\", '\"', '\\'\"']"},
    {"int", "[\"'\", \"\\\"\", \"'\\\"\"]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[\"'\", \"\\\"\", \"'\\\"\"]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[\"'\", \"\\\"\", \"'\\\"\"]", "False"},
    {"str", "[1180591620717411303424, -1180591620717411303424]",
     "[1180591620717411303424, -1180591620717411303424]"},
    {"repr", "[1180591620717411303424, -1180591620717411303424]",
     "[1180591620717411303424, -1180591620717411303424]"},
    {"int", "[1180591620717411303424, -1180591620717411303424]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[1180591620717411303424, -1180591620717411303424]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[1180591620717411303424, -1180591620717411303424]", "False"},
    {"str", "{\"nested\": {\"deep\": [1, {\"x\": \"\\ud83d\\ude00\\u200b\"}]}}",
     "{'nested': {'deep': [1, {'x': '\360\237\230\200\\u200b'}]}}"},
    {"repr", "{\"nested\": {\"deep\": [1, {\"x\": \"\\ud83d\\ude00\\u200b\"}]}}",
     "{'nested': {'deep': [1, {'x': '\360\237\230\200\\u200b'}]}}"},
    {"int", "{\"nested\": {\"deep\": [1, {\"x\": \"\\ud83d\\ude00\\u200b\"}]}}",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'dict'"},
    {"float", "{\"nested\": {\"deep\": [1, {\"x\": \"\\ud83d\\ude00\\u200b\"}]}}",
     "error ETYPE float() argument must be a string or a real number, not 'dict'"},
    {"bool", "{\"nested\": {\"deep\": [1, {\"x\": \"\\ud83d\\ude00\\u200b\"}]}}", "False"},
    {"str", "[0.1, 1e-05, 1e+16]", "[0.1, 1e-05, 1e+16]"},
    {"repr", "[0.1, 1e-05, 1e+16]", "[0.1, 1e-05, 1e+16]"},
    {"int", "[0.1, 1e-05, 1e+16]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[0.1, 1e-05, 1e+16]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[0.1, 1e-05, 1e+16]", "False"},
    {"str", "{\"1\": 1, \"2\": [2]}", "{'1': 1, '2': [2]}"},
    {"repr", "{\"1\": 1, \"2\": [2]}", "{'1': 1, '2': [2]}"},
    {"int", "{\"1\": 1, \"2\": [2]}",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'dict'"},
    {"float", "{\"1\": 1, \"2\": [2]}",
     "error ETYPE float() argument must be a string or a real number, not 'dict'"},
    {"bool", "{\"1\": 1, \"2\": [2]}", "False"},
    {"str", "[\"\\\\\", \"a\\\\'b\"]", "['\\\\', \"a\\\\'b\"]"},
    {"repr", "[\"\\\\\", \"a\\\\'b\"]", "['\\\\', \"a\\\\'b\"]"},
    {"int", "[\"\\\\\", \"a\\\\'b\"]",
     "error ETYPE int() argument must be a string, a bytes-like object or a real number, n"
     "ot 'list'"},
    {"float", "[\"\\\\\", \"a\\\\'b\"]",
     "error ETYPE float() argument must be a string or a real number, not 'list'"},
    {"bool", "[\"\\\\\", \"a\\\\'b\"]", "False"},
};

/* Runs one row and renders its result the way the table spells it. */
static void run_case(const struct pycase *c, struct vgl_arena *a, struct vgl_buf *got)
{
    struct vgl_json v, out;
    struct vgl_error err = {0};
    vgl_buf_reset(got);
    if (vgl_json_parse(c->json, strlen(c->json), a, NULL, &v, &err) != 0) {
        vgl_buf_printf(got, "bad test input: %s", err.msg);
        return;
    }
    if (strcmp(c->op, "str") == 0) {
        vgl_py_str(got, &v);
        /* The arena form must agree with the buffer form. */
        if (vgl_py_str_json(&v, a, &out, &err) != 0 || out.len != got->len ||
            (out.len && memcmp(out.u.s, got->data, out.len) != 0))
            vgl_buf_puts(got, " <vgl_py_str_json differs>");
    } else if (strcmp(c->op, "repr") == 0) {
        vgl_py_repr(got, &v);
    } else if (strcmp(c->op, "bool") == 0) {
        vgl_buf_puts(got, vgl_py_bool_of(&v) ? "True" : "False");
    } else {
        bool is_int = strcmp(c->op, "int") == 0;
        int rc = is_int ? vgl_py_int(&v, a, &out, &err) : vgl_py_float(&v, a, &out, &err);
        if (rc) {
            vgl_buf_printf(got, "error %s %s", vgl_err_name(rc), err.msg);
        } else {
            vgl_buf_printf(got, "%s ", vgl_json_pytype(&out));
            vgl_py_repr(got, &out);
        }
    }
}

TEST(table)
{
    struct vgl_arena a;
    struct vgl_buf got;
    vgl_arena_init(&a, 0);
    vgl_buf_init(&got, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_case(&cases[i], &a, &got);
        if (strcmp(got.data ? got.data : "", cases[i].expect) != 0) {
            fprintf(stderr, "  case %zu: %s(%s)\n", i, cases[i].op, cases[i].json);
            CHECK_STR_EQ(got.data ? got.data : "", cases[i].expect);
        }
        vgl_arena_reset(&a);
    }
    vgl_buf_release(&got);
    vgl_arena_release(&a);
}

TEST(fast_paths_share_memory)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    struct vgl_json out, s = vgl_json_str("abc", 3);
    CHECK_INT_EQ(vgl_py_str_json(&s, &a, &out, NULL), 0);
    CHECK(out.u.s == s.u.s && out.len == 3);
    struct vgl_json big = {.type = VGL_JSON_BIGINT, .len = 20, .u.s = "12345678901234567890"};
    CHECK_INT_EQ(vgl_py_str_json(&big, &a, &out, NULL), 0);
    CHECK(out.type == VGL_JSON_STRING && out.u.s == big.u.s && out.len == 20);
    CHECK_INT_EQ(vgl_py_int(&big, &a, &out, NULL), 0);
    CHECK(out.type == VGL_JSON_BIGINT && out.u.s == big.u.s);
    struct vgl_json i = vgl_json_int(7), f = vgl_json_float(2.5);
    CHECK_INT_EQ(vgl_py_int(&i, &a, &out, NULL), 0);
    CHECK(out.type == VGL_JSON_INT && out.u.i == 7);
    CHECK_INT_EQ(vgl_py_float(&f, &a, &out, NULL), 0);
    CHECK(out.type == VGL_JSON_FLOAT && out.u.d == 2.5);
    /* Nothing above needed the arena. */
    CHECK_INT_EQ(a.used, 0);
    vgl_arena_release(&a);
}

TEST(error_messages_are_cut_like_python)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    char text[300];
    memset(text, 'x', sizeof text);
    struct vgl_json v = vgl_json_str(text, sizeof text), out;
    struct vgl_error err = {0};
    /* CPython's "%.200R": 200 characters of the repr, so no closing quote. */
    CHECK_INT_EQ(vgl_py_int(&v, &a, &out, &err), VGL_EPARSE);
    CHECK_INT_EQ(strlen(err.msg), strlen("invalid literal for int() with base 10: ") + 200);
    CHECK(err.msg[strlen(err.msg) - 1] == 'x');
    /* A long float message is cut at a character boundary by the error buffer. */
    char wide[600];
    for (size_t k = 0; k < sizeof wide; k += 2)
        memcpy(wide + k, "\xc3\xa9", 2);
    v = vgl_json_str(wide, sizeof wide);
    CHECK_INT_EQ(vgl_py_float(&v, &a, &out, &err), VGL_EPARSE);
    CHECK_INT_EQ(vgl_utf8_check(err.msg, strlen(err.msg)), strlen(err.msg));
    vgl_arena_release(&a);
}

TEST(str_of_long_and_deep_values)
{
    struct vgl_arena a;
    vgl_arena_init(&a, 0);
    /* Nesting past VGL_PY_MAX_DEPTH fails cleanly instead of recursing on. */
    size_t depth = VGL_PY_MAX_DEPTH + 5;
    struct vgl_json *lists = vgl_arena_zalloc(&a, depth * sizeof *lists);
    for (size_t i = 0; i + 1 < depth; i++) {
        lists[i].type = VGL_JSON_ARRAY;
        lists[i].len = 1;
        lists[i].u.items = &lists[i + 1];
    }
    lists[depth - 1].type = VGL_JSON_ARRAY;
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    struct vgl_json out;
    struct vgl_error err = {0};
    CHECK_INT_EQ(vgl_py_str(&b, &lists[0]), VGL_ELIMIT);
    CHECK_INT_EQ(b.len, 0);
    CHECK_INT_EQ(vgl_py_str_json(&lists[0], &a, &out, &err), VGL_ELIMIT);
    CHECK_STR_CONTAINS(err.msg, "nested deeper");
    CHECK_INT_EQ(vgl_py_str(&b, &lists[5]), 0);
    CHECK_INT_EQ(b.len, 2 * (depth - 5));
    /* The buffer's cap is honoured and the buffer left unchanged. */
    struct vgl_buf small;
    vgl_buf_init(&small, 8);
    struct vgl_json arr;
    const char *doc = "[\"aaaa\", \"bbbb\"]";
    CHECK_INT_EQ(vgl_json_parse(doc, strlen(doc), &a, NULL, &arr, NULL), 0);
    CHECK_INT_EQ(vgl_py_str(&small, &arr), VGL_ELIMIT);
    CHECK_INT_EQ(small.len, 0);
    vgl_buf_release(&small);
    vgl_buf_release(&b);
    vgl_arena_release(&a);
}

TEST(invalid_utf8_is_escaped_not_trusted)
{
    struct vgl_buf b;
    vgl_buf_init(&b, 0);
    struct vgl_json v = vgl_json_str("a\xff\xc3", 3);
    CHECK_INT_EQ(vgl_py_repr(&b, &v), 0);
    CHECK_STR_EQ(b.data, "'a\\xff\\xc3'");
    vgl_buf_release(&b);
}

TEST(printable_and_space_tables)
{
    CHECK(vgl_py_isprintable('a'));
    CHECK(!vgl_py_isprintable('\n'));
    CHECK(!vgl_py_isprintable(0x7f));
    CHECK(!vgl_py_isprintable(0x85));
    CHECK(!vgl_py_isprintable(0xa0));
    CHECK(vgl_py_isprintable(0xa1));
    CHECK(!vgl_py_isprintable(0xad));
    CHECK(vgl_py_isprintable(0xe9));
    CHECK(!vgl_py_isprintable(0x2028));
    CHECK(!vgl_py_isprintable(0x3000));
    CHECK(vgl_py_isprintable(0x1f600));
    CHECK(!vgl_py_isprintable(0xe0001));
    CHECK(!vgl_py_isprintable(0x10ffff));
    CHECK(vgl_py_isspace(' ') && vgl_py_isspace(0x1c) && vgl_py_isspace(0x85));
    CHECK(vgl_py_isspace(0x2007) && vgl_py_isspace(0x3000) && !vgl_py_isspace(0x200b));
    CHECK(!vgl_py_isspace('a') && !vgl_py_isspace(0xfeff));
}

TEST(number_ordering)
{
    struct vgl_json big = {.type = VGL_JSON_BIGINT, .len = 19, .u.s = "9223372036854775808"};
    struct vgl_json nbig = {.type = VGL_JSON_BIGINT, .len = 20, .u.s = "-9223372036854775809"};
    struct vgl_json max = vgl_json_int(INT64_MAX), two63 = vgl_json_float(9223372036854775808.0);
    struct vgl_json nan = vgl_json_float(NAN), one = vgl_json_int(1), onef = vgl_json_float(1.0);
    struct vgl_json t = vgl_json_bool(true), half = vgl_json_float(1.5), s = vgl_json_str("1", 1);
    CHECK_INT_EQ(vgl_py_numcmp(&big, &two63), 0);
    CHECK_INT_EQ(vgl_py_numcmp(&max, &two63), -1);
    CHECK_INT_EQ(vgl_py_numcmp(&two63, &max), 1);
    CHECK_INT_EQ(vgl_py_numcmp(&nbig, &max), -1);
    CHECK_INT_EQ(vgl_py_numcmp(&big, &nbig), 1);
    CHECK_INT_EQ(vgl_py_numcmp(&one, &onef), 0);
    CHECK_INT_EQ(vgl_py_numcmp(&t, &one), 0);
    CHECK_INT_EQ(vgl_py_numcmp(&one, &half), -1);
    CHECK_INT_EQ(vgl_py_numcmp(&nan, &one), 2);
    CHECK_INT_EQ(vgl_py_numcmp(&big, &nan), 2);
    CHECK_INT_EQ(vgl_py_numcmp(&s, &one), 2);
}

TEST_MAIN(T(table), T(fast_paths_share_memory), T(error_messages_are_cut_like_python),
          T(str_of_long_and_deep_values), T(invalid_utf8_is_escaped_not_trusted),
          T(printable_and_space_tables), T(number_ordering))
