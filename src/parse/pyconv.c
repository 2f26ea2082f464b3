/*
 * parse/pyconv.c: CPython's str()/repr(), int(), float() and StreamAlert's "boolean"
 * test on JSON values (compat 2.5, StreamAlert's _convert_type).
 *
 * Sits under the classifier, which converts every schema field of every candidate record
 * with it, and under the JMESPath evaluator (to_number(), number ordering).  The common
 * case, a value that already has the wanted type, returns without copying or allocating;
 * everything else is built in the caller's arena.  Strings are read as CPython reads a
 * str: by code point, with the Unicode tables below standing in for unicodedata.
 */
#include "parse/pyconv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "json/json.h"

/* ---- Unicode tables ------------------------------------------------------------------
 *
 * Generated from CPython 3.11's unicodedata (Unicode 14.0.0) with
 *   [c for c in range(0x80, 0x110000) if not chr(c).isprintable()]   (merged into ranges)
 *   [c for c in range(0x80, 0x110000) if unicodedata.decimal(chr(c), -1) == 0]
 * Every decimal digit belongs to a run of ten consecutive code points valued 0..9, so a
 * digit's value is its distance from the run's first code point.
 */
static const uint32_t nonprint[][2] = {
    {0x80, 0xa0},       {0xad, 0xad},       {0x378, 0x379},     {0x380, 0x383},
    {0x38b, 0x38b},     {0x38d, 0x38d},     {0x3a2, 0x3a2},     {0x530, 0x530},
    {0x557, 0x558},     {0x58b, 0x58c},     {0x590, 0x590},     {0x5c8, 0x5cf},
    {0x5eb, 0x5ee},     {0x5f5, 0x605},     {0x61c, 0x61c},     {0x6dd, 0x6dd},
    {0x70e, 0x70f},     {0x74b, 0x74c},     {0x7b2, 0x7bf},     {0x7fb, 0x7fc},
    {0x82e, 0x82f},     {0x83f, 0x83f},     {0x85c, 0x85d},     {0x85f, 0x85f},
    {0x86b, 0x86f},     {0x88f, 0x897},     {0x8e2, 0x8e2},     {0x984, 0x984},
    {0x98d, 0x98e},     {0x991, 0x992},     {0x9a9, 0x9a9},     {0x9b1, 0x9b1},
    {0x9b3, 0x9b5},     {0x9ba, 0x9bb},     {0x9c5, 0x9c6},     {0x9c9, 0x9ca},
    {0x9cf, 0x9d6},     {0x9d8, 0x9db},     {0x9de, 0x9de},     {0x9e4, 0x9e5},
    {0x9ff, 0xa00},     {0xa04, 0xa04},     {0xa0b, 0xa0e},     {0xa11, 0xa12},
    {0xa29, 0xa29},     {0xa31, 0xa31},     {0xa34, 0xa34},     {0xa37, 0xa37},
    {0xa3a, 0xa3b},     {0xa3d, 0xa3d},     {0xa43, 0xa46},     {0xa49, 0xa4a},
    {0xa4e, 0xa50},     {0xa52, 0xa58},     {0xa5d, 0xa5d},     {0xa5f, 0xa65},
    {0xa77, 0xa80},     {0xa84, 0xa84},     {0xa8e, 0xa8e},     {0xa92, 0xa92},
    {0xaa9, 0xaa9},     {0xab1, 0xab1},     {0xab4, 0xab4},     {0xaba, 0xabb},
    {0xac6, 0xac6},     {0xaca, 0xaca},     {0xace, 0xacf},     {0xad1, 0xadf},
    {0xae4, 0xae5},     {0xaf2, 0xaf8},     {0xb00, 0xb00},     {0xb04, 0xb04},
    {0xb0d, 0xb0e},     {0xb11, 0xb12},     {0xb29, 0xb29},     {0xb31, 0xb31},
    {0xb34, 0xb34},     {0xb3a, 0xb3b},     {0xb45, 0xb46},     {0xb49, 0xb4a},
    {0xb4e, 0xb54},     {0xb58, 0xb5b},     {0xb5e, 0xb5e},     {0xb64, 0xb65},
    {0xb78, 0xb81},     {0xb84, 0xb84},     {0xb8b, 0xb8d},     {0xb91, 0xb91},
    {0xb96, 0xb98},     {0xb9b, 0xb9b},     {0xb9d, 0xb9d},     {0xba0, 0xba2},
    {0xba5, 0xba7},     {0xbab, 0xbad},     {0xbba, 0xbbd},     {0xbc3, 0xbc5},
    {0xbc9, 0xbc9},     {0xbce, 0xbcf},     {0xbd1, 0xbd6},     {0xbd8, 0xbe5},
    {0xbfb, 0xbff},     {0xc0d, 0xc0d},     {0xc11, 0xc11},     {0xc29, 0xc29},
    {0xc3a, 0xc3b},     {0xc45, 0xc45},     {0xc49, 0xc49},     {0xc4e, 0xc54},
    {0xc57, 0xc57},     {0xc5b, 0xc5c},     {0xc5e, 0xc5f},     {0xc64, 0xc65},
    {0xc70, 0xc76},     {0xc8d, 0xc8d},     {0xc91, 0xc91},     {0xca9, 0xca9},
    {0xcb4, 0xcb4},     {0xcba, 0xcbb},     {0xcc5, 0xcc5},     {0xcc9, 0xcc9},
    {0xcce, 0xcd4},     {0xcd7, 0xcdc},     {0xcdf, 0xcdf},     {0xce4, 0xce5},
    {0xcf0, 0xcf0},     {0xcf3, 0xcff},     {0xd0d, 0xd0d},     {0xd11, 0xd11},
    {0xd45, 0xd45},     {0xd49, 0xd49},     {0xd50, 0xd53},     {0xd64, 0xd65},
    {0xd80, 0xd80},     {0xd84, 0xd84},     {0xd97, 0xd99},     {0xdb2, 0xdb2},
    {0xdbc, 0xdbc},     {0xdbe, 0xdbf},     {0xdc7, 0xdc9},     {0xdcb, 0xdce},
    {0xdd5, 0xdd5},     {0xdd7, 0xdd7},     {0xde0, 0xde5},     {0xdf0, 0xdf1},
    {0xdf5, 0xe00},     {0xe3b, 0xe3e},     {0xe5c, 0xe80},     {0xe83, 0xe83},
    {0xe85, 0xe85},     {0xe8b, 0xe8b},     {0xea4, 0xea4},     {0xea6, 0xea6},
    {0xebe, 0xebf},     {0xec5, 0xec5},     {0xec7, 0xec7},     {0xece, 0xecf},
    {0xeda, 0xedb},     {0xee0, 0xeff},     {0xf48, 0xf48},     {0xf6d, 0xf70},
    {0xf98, 0xf98},     {0xfbd, 0xfbd},     {0xfcd, 0xfcd},     {0xfdb, 0xfff},
    {0x10c6, 0x10c6},   {0x10c8, 0x10cc},   {0x10ce, 0x10cf},   {0x1249, 0x1249},
    {0x124e, 0x124f},   {0x1257, 0x1257},   {0x1259, 0x1259},   {0x125e, 0x125f},
    {0x1289, 0x1289},   {0x128e, 0x128f},   {0x12b1, 0x12b1},   {0x12b6, 0x12b7},
    {0x12bf, 0x12bf},   {0x12c1, 0x12c1},   {0x12c6, 0x12c7},   {0x12d7, 0x12d7},
    {0x1311, 0x1311},   {0x1316, 0x1317},   {0x135b, 0x135c},   {0x137d, 0x137f},
    {0x139a, 0x139f},   {0x13f6, 0x13f7},   {0x13fe, 0x13ff},   {0x1680, 0x1680},
    {0x169d, 0x169f},   {0x16f9, 0x16ff},   {0x1716, 0x171e},   {0x1737, 0x173f},
    {0x1754, 0x175f},   {0x176d, 0x176d},   {0x1771, 0x1771},   {0x1774, 0x177f},
    {0x17de, 0x17df},   {0x17ea, 0x17ef},   {0x17fa, 0x17ff},   {0x180e, 0x180e},
    {0x181a, 0x181f},   {0x1879, 0x187f},   {0x18ab, 0x18af},   {0x18f6, 0x18ff},
    {0x191f, 0x191f},   {0x192c, 0x192f},   {0x193c, 0x193f},   {0x1941, 0x1943},
    {0x196e, 0x196f},   {0x1975, 0x197f},   {0x19ac, 0x19af},   {0x19ca, 0x19cf},
    {0x19db, 0x19dd},   {0x1a1c, 0x1a1d},   {0x1a5f, 0x1a5f},   {0x1a7d, 0x1a7e},
    {0x1a8a, 0x1a8f},   {0x1a9a, 0x1a9f},   {0x1aae, 0x1aaf},   {0x1acf, 0x1aff},
    {0x1b4d, 0x1b4f},   {0x1b7f, 0x1b7f},   {0x1bf4, 0x1bfb},   {0x1c38, 0x1c3a},
    {0x1c4a, 0x1c4c},   {0x1c89, 0x1c8f},   {0x1cbb, 0x1cbc},   {0x1cc8, 0x1ccf},
    {0x1cfb, 0x1cff},   {0x1f16, 0x1f17},   {0x1f1e, 0x1f1f},   {0x1f46, 0x1f47},
    {0x1f4e, 0x1f4f},   {0x1f58, 0x1f58},   {0x1f5a, 0x1f5a},   {0x1f5c, 0x1f5c},
    {0x1f5e, 0x1f5e},   {0x1f7e, 0x1f7f},   {0x1fb5, 0x1fb5},   {0x1fc5, 0x1fc5},
    {0x1fd4, 0x1fd5},   {0x1fdc, 0x1fdc},   {0x1ff0, 0x1ff1},   {0x1ff5, 0x1ff5},
    {0x1fff, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x206f},   {0x2072, 0x2073},
    {0x208f, 0x208f},   {0x209d, 0x209f},   {0x20c1, 0x20cf},   {0x20f1, 0x20ff},
    {0x218c, 0x218f},   {0x2427, 0x243f},   {0x244b, 0x245f},   {0x2b74, 0x2b75},
    {0x2b96, 0x2b96},   {0x2cf4, 0x2cf8},   {0x2d26, 0x2d26},   {0x2d28, 0x2d2c},
    {0x2d2e, 0x2d2f},   {0x2d68, 0x2d6e},   {0x2d71, 0x2d7e},   {0x2d97, 0x2d9f},
    {0x2da7, 0x2da7},   {0x2daf, 0x2daf},   {0x2db7, 0x2db7},   {0x2dbf, 0x2dbf},
    {0x2dc7, 0x2dc7},   {0x2dcf, 0x2dcf},   {0x2dd7, 0x2dd7},   {0x2ddf, 0x2ddf},
    {0x2e5e, 0x2e7f},   {0x2e9a, 0x2e9a},   {0x2ef4, 0x2eff},   {0x2fd6, 0x2fef},
    {0x2ffc, 0x3000},   {0x3040, 0x3040},   {0x3097, 0x3098},   {0x3100, 0x3104},
    {0x3130, 0x3130},   {0x318f, 0x318f},   {0x31e4, 0x31ef},   {0x321f, 0x321f},
    {0xa48d, 0xa48f},   {0xa4c7, 0xa4cf},   {0xa62c, 0xa63f},   {0xa6f8, 0xa6ff},
    {0xa7cb, 0xa7cf},   {0xa7d2, 0xa7d2},   {0xa7d4, 0xa7d4},   {0xa7da, 0xa7f1},
    {0xa82d, 0xa82f},   {0xa83a, 0xa83f},   {0xa878, 0xa87f},   {0xa8c6, 0xa8cd},
    {0xa8da, 0xa8df},   {0xa954, 0xa95e},   {0xa97d, 0xa97f},   {0xa9ce, 0xa9ce},
    {0xa9da, 0xa9dd},   {0xa9ff, 0xa9ff},   {0xaa37, 0xaa3f},   {0xaa4e, 0xaa4f},
    {0xaa5a, 0xaa5b},   {0xaac3, 0xaada},   {0xaaf7, 0xab00},   {0xab07, 0xab08},
    {0xab0f, 0xab10},   {0xab17, 0xab1f},   {0xab27, 0xab27},   {0xab2f, 0xab2f},
    {0xab6c, 0xab6f},   {0xabee, 0xabef},   {0xabfa, 0xabff},   {0xd7a4, 0xd7af},
    {0xd7c7, 0xd7ca},   {0xd7fc, 0xf8ff},   {0xfa6e, 0xfa6f},   {0xfada, 0xfaff},
    {0xfb07, 0xfb12},   {0xfb18, 0xfb1c},   {0xfb37, 0xfb37},   {0xfb3d, 0xfb3d},
    {0xfb3f, 0xfb3f},   {0xfb42, 0xfb42},   {0xfb45, 0xfb45},   {0xfbc3, 0xfbd2},
    {0xfd90, 0xfd91},   {0xfdc8, 0xfdce},   {0xfdd0, 0xfdef},   {0xfe1a, 0xfe1f},
    {0xfe53, 0xfe53},   {0xfe67, 0xfe67},   {0xfe6c, 0xfe6f},   {0xfe75, 0xfe75},
    {0xfefd, 0xff00},   {0xffbf, 0xffc1},   {0xffc8, 0xffc9},   {0xffd0, 0xffd1},
    {0xffd8, 0xffd9},   {0xffdd, 0xffdf},   {0xffe7, 0xffe7},   {0xffef, 0xfffb},
    {0xfffe, 0xffff},   {0x1000c, 0x1000c}, {0x10027, 0x10027}, {0x1003b, 0x1003b},
    {0x1003e, 0x1003e}, {0x1004e, 0x1004f}, {0x1005e, 0x1007f}, {0x100fb, 0x100ff},
    {0x10103, 0x10106}, {0x10134, 0x10136}, {0x1018f, 0x1018f}, {0x1019d, 0x1019f},
    {0x101a1, 0x101cf}, {0x101fe, 0x1027f}, {0x1029d, 0x1029f}, {0x102d1, 0x102df},
    {0x102fc, 0x102ff}, {0x10324, 0x1032c}, {0x1034b, 0x1034f}, {0x1037b, 0x1037f},
    {0x1039e, 0x1039e}, {0x103c4, 0x103c7}, {0x103d6, 0x103ff}, {0x1049e, 0x1049f},
    {0x104aa, 0x104af}, {0x104d4, 0x104d7}, {0x104fc, 0x104ff}, {0x10528, 0x1052f},
    {0x10564, 0x1056e}, {0x1057b, 0x1057b}, {0x1058b, 0x1058b}, {0x10593, 0x10593},
    {0x10596, 0x10596}, {0x105a2, 0x105a2}, {0x105b2, 0x105b2}, {0x105ba, 0x105ba},
    {0x105bd, 0x105ff}, {0x10737, 0x1073f}, {0x10756, 0x1075f}, {0x10768, 0x1077f},
    {0x10786, 0x10786}, {0x107b1, 0x107b1}, {0x107bb, 0x107ff}, {0x10806, 0x10807},
    {0x10809, 0x10809}, {0x10836, 0x10836}, {0x10839, 0x1083b}, {0x1083d, 0x1083e},
    {0x10856, 0x10856}, {0x1089f, 0x108a6}, {0x108b0, 0x108df}, {0x108f3, 0x108f3},
    {0x108f6, 0x108fa}, {0x1091c, 0x1091e}, {0x1093a, 0x1093e}, {0x10940, 0x1097f},
    {0x109b8, 0x109bb}, {0x109d0, 0x109d1}, {0x10a04, 0x10a04}, {0x10a07, 0x10a0b},
    {0x10a14, 0x10a14}, {0x10a18, 0x10a18}, {0x10a36, 0x10a37}, {0x10a3b, 0x10a3e},
    {0x10a49, 0x10a4f}, {0x10a59, 0x10a5f}, {0x10aa0, 0x10abf}, {0x10ae7, 0x10aea},
    {0x10af7, 0x10aff}, {0x10b36, 0x10b38}, {0x10b56, 0x10b57}, {0x10b73, 0x10b77},
    {0x10b92, 0x10b98}, {0x10b9d, 0x10ba8}, {0x10bb0, 0x10bff}, {0x10c49, 0x10c7f},
    {0x10cb3, 0x10cbf}, {0x10cf3, 0x10cf9}, {0x10d28, 0x10d2f}, {0x10d3a, 0x10e5f},
    {0x10e7f, 0x10e7f}, {0x10eaa, 0x10eaa}, {0x10eae, 0x10eaf}, {0x10eb2, 0x10eff},
    {0x10f28, 0x10f2f}, {0x10f5a, 0x10f6f}, {0x10f8a, 0x10faf}, {0x10fcc, 0x10fdf},
    {0x10ff7, 0x10fff}, {0x1104e, 0x11051}, {0x11076, 0x1107e}, {0x110bd, 0x110bd},
    {0x110c3, 0x110cf}, {0x110e9, 0x110ef}, {0x110fa, 0x110ff}, {0x11135, 0x11135},
    {0x11148, 0x1114f}, {0x11177, 0x1117f}, {0x111e0, 0x111e0}, {0x111f5, 0x111ff},
    {0x11212, 0x11212}, {0x1123f, 0x1127f}, {0x11287, 0x11287}, {0x11289, 0x11289},
    {0x1128e, 0x1128e}, {0x1129e, 0x1129e}, {0x112aa, 0x112af}, {0x112eb, 0x112ef},
    {0x112fa, 0x112ff}, {0x11304, 0x11304}, {0x1130d, 0x1130e}, {0x11311, 0x11312},
    {0x11329, 0x11329}, {0x11331, 0x11331}, {0x11334, 0x11334}, {0x1133a, 0x1133a},
    {0x11345, 0x11346}, {0x11349, 0x1134a}, {0x1134e, 0x1134f}, {0x11351, 0x11356},
    {0x11358, 0x1135c}, {0x11364, 0x11365}, {0x1136d, 0x1136f}, {0x11375, 0x113ff},
    {0x1145c, 0x1145c}, {0x11462, 0x1147f}, {0x114c8, 0x114cf}, {0x114da, 0x1157f},
    {0x115b6, 0x115b7}, {0x115de, 0x115ff}, {0x11645, 0x1164f}, {0x1165a, 0x1165f},
    {0x1166d, 0x1167f}, {0x116ba, 0x116bf}, {0x116ca, 0x116ff}, {0x1171b, 0x1171c},
    {0x1172c, 0x1172f}, {0x11747, 0x117ff}, {0x1183c, 0x1189f}, {0x118f3, 0x118fe},
    {0x11907, 0x11908}, {0x1190a, 0x1190b}, {0x11914, 0x11914}, {0x11917, 0x11917},
    {0x11936, 0x11936}, {0x11939, 0x1193a}, {0x11947, 0x1194f}, {0x1195a, 0x1199f},
    {0x119a8, 0x119a9}, {0x119d8, 0x119d9}, {0x119e5, 0x119ff}, {0x11a48, 0x11a4f},
    {0x11aa3, 0x11aaf}, {0x11af9, 0x11bff}, {0x11c09, 0x11c09}, {0x11c37, 0x11c37},
    {0x11c46, 0x11c4f}, {0x11c6d, 0x11c6f}, {0x11c90, 0x11c91}, {0x11ca8, 0x11ca8},
    {0x11cb7, 0x11cff}, {0x11d07, 0x11d07}, {0x11d0a, 0x11d0a}, {0x11d37, 0x11d39},
    {0x11d3b, 0x11d3b}, {0x11d3e, 0x11d3e}, {0x11d48, 0x11d4f}, {0x11d5a, 0x11d5f},
    {0x11d66, 0x11d66}, {0x11d69, 0x11d69}, {0x11d8f, 0x11d8f}, {0x11d92, 0x11d92},
    {0x11d99, 0x11d9f}, {0x11daa, 0x11edf}, {0x11ef9, 0x11faf}, {0x11fb1, 0x11fbf},
    {0x11ff2, 0x11ffe}, {0x1239a, 0x123ff}, {0x1246f, 0x1246f}, {0x12475, 0x1247f},
    {0x12544, 0x12f8f}, {0x12ff3, 0x12fff}, {0x1342f, 0x143ff}, {0x14647, 0x167ff},
    {0x16a39, 0x16a3f}, {0x16a5f, 0x16a5f}, {0x16a6a, 0x16a6d}, {0x16abf, 0x16abf},
    {0x16aca, 0x16acf}, {0x16aee, 0x16aef}, {0x16af6, 0x16aff}, {0x16b46, 0x16b4f},
    {0x16b5a, 0x16b5a}, {0x16b62, 0x16b62}, {0x16b78, 0x16b7c}, {0x16b90, 0x16e3f},
    {0x16e9b, 0x16eff}, {0x16f4b, 0x16f4e}, {0x16f88, 0x16f8e}, {0x16fa0, 0x16fdf},
    {0x16fe5, 0x16fef}, {0x16ff2, 0x16fff}, {0x187f8, 0x187ff}, {0x18cd6, 0x18cff},
    {0x18d09, 0x1afef}, {0x1aff4, 0x1aff4}, {0x1affc, 0x1affc}, {0x1afff, 0x1afff},
    {0x1b123, 0x1b14f}, {0x1b153, 0x1b163}, {0x1b168, 0x1b16f}, {0x1b2fc, 0x1bbff},
    {0x1bc6b, 0x1bc6f}, {0x1bc7d, 0x1bc7f}, {0x1bc89, 0x1bc8f}, {0x1bc9a, 0x1bc9b},
    {0x1bca0, 0x1ceff}, {0x1cf2e, 0x1cf2f}, {0x1cf47, 0x1cf4f}, {0x1cfc4, 0x1cfff},
    {0x1d0f6, 0x1d0ff}, {0x1d127, 0x1d128}, {0x1d173, 0x1d17a}, {0x1d1eb, 0x1d1ff},
    {0x1d246, 0x1d2df}, {0x1d2f4, 0x1d2ff}, {0x1d357, 0x1d35f}, {0x1d379, 0x1d3ff},
    {0x1d455, 0x1d455}, {0x1d49d, 0x1d49d}, {0x1d4a0, 0x1d4a1}, {0x1d4a3, 0x1d4a4},
    {0x1d4a7, 0x1d4a8}, {0x1d4ad, 0x1d4ad}, {0x1d4ba, 0x1d4ba}, {0x1d4bc, 0x1d4bc},
    {0x1d4c4, 0x1d4c4}, {0x1d506, 0x1d506}, {0x1d50b, 0x1d50c}, {0x1d515, 0x1d515},
    {0x1d51d, 0x1d51d}, {0x1d53a, 0x1d53a}, {0x1d53f, 0x1d53f}, {0x1d545, 0x1d545},
    {0x1d547, 0x1d549}, {0x1d551, 0x1d551}, {0x1d6a6, 0x1d6a7}, {0x1d7cc, 0x1d7cd},
    {0x1da8c, 0x1da9a}, {0x1daa0, 0x1daa0}, {0x1dab0, 0x1deff}, {0x1df1f, 0x1dfff},
    {0x1e007, 0x1e007}, {0x1e019, 0x1e01a}, {0x1e022, 0x1e022}, {0x1e025, 0x1e025},
    {0x1e02b, 0x1e0ff}, {0x1e12d, 0x1e12f}, {0x1e13e, 0x1e13f}, {0x1e14a, 0x1e14d},
    {0x1e150, 0x1e28f}, {0x1e2af, 0x1e2bf}, {0x1e2fa, 0x1e2fe}, {0x1e300, 0x1e7df},
    {0x1e7e7, 0x1e7e7}, {0x1e7ec, 0x1e7ec}, {0x1e7ef, 0x1e7ef}, {0x1e7ff, 0x1e7ff},
    {0x1e8c5, 0x1e8c6}, {0x1e8d7, 0x1e8ff}, {0x1e94c, 0x1e94f}, {0x1e95a, 0x1e95d},
    {0x1e960, 0x1ec70}, {0x1ecb5, 0x1ed00}, {0x1ed3e, 0x1edff}, {0x1ee04, 0x1ee04},
    {0x1ee20, 0x1ee20}, {0x1ee23, 0x1ee23}, {0x1ee25, 0x1ee26}, {0x1ee28, 0x1ee28},
    {0x1ee33, 0x1ee33}, {0x1ee38, 0x1ee38}, {0x1ee3a, 0x1ee3a}, {0x1ee3c, 0x1ee41},
    {0x1ee43, 0x1ee46}, {0x1ee48, 0x1ee48}, {0x1ee4a, 0x1ee4a}, {0x1ee4c, 0x1ee4c},
    {0x1ee50, 0x1ee50}, {0x1ee53, 0x1ee53}, {0x1ee55, 0x1ee56}, {0x1ee58, 0x1ee58},
    {0x1ee5a, 0x1ee5a}, {0x1ee5c, 0x1ee5c}, {0x1ee5e, 0x1ee5e}, {0x1ee60, 0x1ee60},
    {0x1ee63, 0x1ee63}, {0x1ee65, 0x1ee66}, {0x1ee6b, 0x1ee6b}, {0x1ee73, 0x1ee73},
    {0x1ee78, 0x1ee78}, {0x1ee7d, 0x1ee7d}, {0x1ee7f, 0x1ee7f}, {0x1ee8a, 0x1ee8a},
    {0x1ee9c, 0x1eea0}, {0x1eea4, 0x1eea4}, {0x1eeaa, 0x1eeaa}, {0x1eebc, 0x1eeef},
    {0x1eef2, 0x1efff}, {0x1f02c, 0x1f02f}, {0x1f094, 0x1f09f}, {0x1f0af, 0x1f0b0},
    {0x1f0c0, 0x1f0c0}, {0x1f0d0, 0x1f0d0}, {0x1f0f6, 0x1f0ff}, {0x1f1ae, 0x1f1e5},
    {0x1f203, 0x1f20f}, {0x1f23c, 0x1f23f}, {0x1f249, 0x1f24f}, {0x1f252, 0x1f25f},
    {0x1f266, 0x1f2ff}, {0x1f6d8, 0x1f6dc}, {0x1f6ed, 0x1f6ef}, {0x1f6fd, 0x1f6ff},
    {0x1f774, 0x1f77f}, {0x1f7d9, 0x1f7df}, {0x1f7ec, 0x1f7ef}, {0x1f7f1, 0x1f7ff},
    {0x1f80c, 0x1f80f}, {0x1f848, 0x1f84f}, {0x1f85a, 0x1f85f}, {0x1f888, 0x1f88f},
    {0x1f8ae, 0x1f8af}, {0x1f8b2, 0x1f8ff}, {0x1fa54, 0x1fa5f}, {0x1fa6e, 0x1fa6f},
    {0x1fa75, 0x1fa77}, {0x1fa7d, 0x1fa7f}, {0x1fa87, 0x1fa8f}, {0x1faad, 0x1faaf},
    {0x1fabb, 0x1fabf}, {0x1fac6, 0x1facf}, {0x1fada, 0x1fadf}, {0x1fae8, 0x1faef},
    {0x1faf7, 0x1faff}, {0x1fb93, 0x1fb93}, {0x1fbcb, 0x1fbef}, {0x1fbfa, 0x1ffff},
    {0x2a6e0, 0x2a6ff}, {0x2b739, 0x2b73f}, {0x2b81e, 0x2b81f}, {0x2cea2, 0x2ceaf},
    {0x2ebe1, 0x2f7ff}, {0x2fa1e, 0x2ffff}, {0x3134b, 0xe00ff}, {0xe01f0, 0x10ffff},
};
static const uint32_t digit_zero[] = {
    0x660,   0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,   0xbe6,   0xc66,
    0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,  0x1090,  0x17e0,  0x1810,
    0x1946,  0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,  0x1c40,  0x1c50,  0xa620,  0xa8d0,
    0xa900,  0xa9d0,  0xa9f0,  0xaa50,  0xabf0,  0xff10,  0x104a0, 0x10d30, 0x11066, 0x110f0,
    0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950,
    0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec,
    0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

bool vgl_py_isprintable(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp < 0x7f;
    size_t lo = 0, hi = sizeof nonprint / sizeof nonprint[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < nonprint[mid][0])
            hi = mid;
        else if (cp > nonprint[mid][1])
            lo = mid + 1;
        else
            return false;
    }
    return true;
}

bool vgl_py_isspace(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r') || (cp >= 0x1c && cp <= 0x1f);
    switch (cp) {
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200a;
    }
}

/* Decimal value of a Unicode digit (Py_UNICODE_TODECIMAL), or -1. */
static int uni_decimal(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    size_t lo = 0, hi = sizeof digit_zero / sizeof digit_zero[0];
    while (lo < hi) { /* first run starting after cp */
        size_t mid = lo + (hi - lo) / 2;
        if (digit_zero[mid] <= cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || cp - digit_zero[lo - 1] > 9)
        return -1;
    return (int)(cp - digit_zero[lo - 1]);
}

/*
 * Decodes the UTF-8 sequence at s (n > 0 bytes left) into *cp and returns its length.
 * JSON strings are valid UTF-8, but other producers may not be: a bad byte decodes to
 * itself with length 1 and *bad set, which callers escape like a lone byte.
 */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp, bool *bad)
{
    size_t len = vgl_utf8_decode(s, n, cp);
    *bad = len == 0;
    if (*bad) {
        *cp = s[0];
        return 1;
    }
    return len;
}

static bool has_non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] & 0x80)
            return true;
    return false;
}

/* ---- repr writer ---------------------------------------------------------------------
 *
 * Output goes through a sink that either only counts (p == NULL) or writes into memory
 * already sized by a counting pass, so the arena and vgl_buf paths share one writer and
 * never grow anything mid-way.  A bounded sink (cap) drops what does not fit.
 */
struct sink {
    char *p;    /* NULL: count only */
    size_t n;   /* bytes produced so far */
    size_t cap; /* with p: bytes writable; 0 means unbounded (pre-sized) */
};

static void sk_put(struct sink *k, const void *s, size_t n)
{
    if (k->p) {
        size_t room = n;
        if (k->cap)
            room = k->n >= k->cap ? 0 : k->cap - k->n < n ? k->cap - k->n : n;
        memcpy(k->p + k->n, s, room);
    }
    k->n += n;
}

static void sk_putc(struct sink *k, char c)
{
    sk_put(k, &c, 1);
}

/*
 * Output with a character budget: CPython's "%.200R" cuts the repr after 200 characters,
 * even inside an escape.  Escapes are ASCII, so only a raw non-ASCII character is wider
 * than one character per byte.  Returns false once the budget is spent.
 */
struct budget {
    size_t used;
    size_t max; /* 0: unlimited */
};

static bool emit(struct sink *k, struct budget *b, const char *s, size_t n, size_t chars)
{
    if (b->max && b->used + chars > b->max) {
        if (chars == n) /* ASCII: cut inside */
            sk_put(k, s, b->max - b->used);
        b->used = b->max;
        return false;
    }
    sk_put(k, s, n);
    b->used += chars;
    return true;
}

static bool emit_escape(struct sink *k, struct budget *b, uint32_t cp)
{
    char e[12];
    int n;
    if (cp <= 0xff)
        n = snprintf(e, sizeof e, "\\x%02" PRIx32, cp);
    else if (cp <= 0xffff)
        n = snprintf(e, sizeof e, "\\u%04" PRIx32, cp);
    else
        n = snprintf(e, sizeof e, "\\U%08" PRIx32, cp);
    return emit(k, b, e, (size_t)n, (size_t)n);
}

/*
 * Python's repr(str) (unicode_repr): single quotes unless the text has a ' and no ",
 * backslash escapes for the quote, \\, \t, \n, \r, and \x/\u/\U for characters that
 * str.isprintable() rejects.  max_chars > 0 stops after that many output characters.
 */
static void repr_str(struct sink *k, const char *s, size_t n, size_t max_chars)
{
    const unsigned char *u = (const unsigned char *)s;
    bool sq = n && memchr(s, '\'', n), dq = n && memchr(s, '"', n);
    unsigned char q = (sq && !dq) ? '"' : '\'';
    struct budget b = {.max = max_chars};
    if (!emit(k, &b, (const char *)&q, 1, 1))
        return;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        bool more;
        if (c >= 0x20 && c < 0x7f && c != q && c != '\\') {
            size_t j = i + 1;
            while (j < n && u[j] >= 0x20 && u[j] < 0x7f && u[j] != q && u[j] != '\\')
                j++;
            more = emit(k, &b, s + i, j - i, j - i);
            i = j;
        } else if (c == '\\' || c == q) {
            char e[2] = {'\\', (char)c};
            more = emit(k, &b, e, 2, 2);
            i++;
        } else if (c == '\t' || c == '\n' || c == '\r') {
            char e[2] = {'\\', c == '\t' ? 't' : c == '\n' ? 'n' : 'r'};
            more = emit(k, &b, e, 2, 2);
            i++;
        } else if (c < 0x80) {
            more = emit_escape(k, &b, c);
            i++;
        } else {
            uint32_t cp;
            bool bad;
            size_t l = utf8_next(u + i, n - i, &cp, &bad);
            if (!bad && vgl_py_isprintable(cp))
                more = emit(k, &b, s + i, l, 1);
            else
                more = emit_escape(k, &b, cp);
            i += l;
        }
        if (!more)
            return;
    }
    emit(k, &b, (const char *)&q, 1, 1);
}

/* The repr of v (a string is written raw when raw_str is set: Python's str()). */
static int repr_val(struct sink *k, const struct vgl_json *v, bool raw_str, unsigned depth)
{
    char num[40];
    switch (v->type) {
    case VGL_JSON_NULL:
        sk_put(k, "None", 4);
        return 0;
    case VGL_JSON_BOOL:
        if (v->u.b)
            sk_put(k, "True", 4);
        else
            sk_put(k, "False", 5);
        return 0;
    case VGL_JSON_INT:
        sk_put(k, num, (size_t)snprintf(num, sizeof num, "%" PRId64, v->u.i));
        return 0;
    case VGL_JSON_BIGINT:
        sk_put(k, v->u.s, v->len);
        return 0;
    case VGL_JSON_FLOAT:
        sk_put(k, num, vgl_json_fmt_double(num, v->u.d));
        return 0;
    case VGL_JSON_STRING:
        if (raw_str)
            sk_put(k, v->u.s, v->len);
        else
            repr_str(k, v->u.s, v->len, 0);
        return 0;
    case VGL_JSON_ARRAY:
    case VGL_JSON_OBJECT:
        break;
    default:
        VGL_BUG("unknown json type");
    }
    if (depth >= VGL_PY_MAX_DEPTH)
        return VGL_ELIMIT;
    bool obj = v->type == VGL_JSON_OBJECT;
    sk_putc(k, obj ? '{' : '[');
    for (uint32_t i = 0; i < v->len; i++) {
        if (i)
            sk_put(k, ", ", 2);
        const struct vgl_json *item;
        if (obj) {
            const struct vgl_json_member *m = &v->u.members[i];
            repr_str(k, m->key, m->klen, 0);
            sk_put(k, ": ", 2);
            item = &m->val;
        } else {
            item = &v->u.items[i];
        }
        int rc = repr_val(k, item, false, depth + 1);
        if (rc)
            return rc;
    }
    sk_putc(k, obj ? '}' : ']');
    return 0;
}

static int to_buf(struct vgl_buf *b, const struct vgl_json *v, bool raw_str)
{
    if (v->type == VGL_JSON_STRING && raw_str)
        return vgl_buf_append(b, v->u.s, v->len);
    struct sink count = {0};
    int rc = repr_val(&count, v, raw_str, 0);
    if (rc)
        return rc;
    if ((rc = vgl_buf_reserve(b, count.n)))
        return rc;
    struct sink w = {.p = b->data + b->len};
    repr_val(&w, v, raw_str, 0);
    b->len += w.n;
    b->data[b->len] = '\0';
    return 0;
}

int vgl_py_str(struct vgl_buf *out, const struct vgl_json *v)
{
    return to_buf(out, v, true);
}

int vgl_py_repr(struct vgl_buf *out, const struct vgl_json *v)
{
    return to_buf(out, v, false);
}

int vgl_py_str_json(const struct vgl_json *v, struct vgl_arena *a, struct vgl_json *out,
                    struct vgl_error *err)
{
    char num[40];
    switch (v->type) {
    case VGL_JSON_STRING:
        *out = *v;
        return 0;
    case VGL_JSON_BIGINT:
        *out = vgl_json_str(v->u.s, v->len);
        return 0;
    case VGL_JSON_NULL:
        *out = vgl_json_str("None", 4);
        return 0;
    case VGL_JSON_BOOL:
        *out = v->u.b ? vgl_json_str("True", 4) : vgl_json_str("False", 5);
        return 0;
    case VGL_JSON_INT: {
        int n = snprintf(num, sizeof num, "%" PRId64, v->u.i);
        *out = vgl_json_str(vgl_arena_memdup(a, num, (size_t)n), (size_t)n);
        return 0;
    }
    case VGL_JSON_FLOAT: {
        size_t n = vgl_json_fmt_double(num, v->u.d);
        *out = vgl_json_str(vgl_arena_memdup(a, num, n), n);
        return 0;
    }
    default:
        break;
    }
    struct sink count = {0};
    if (repr_val(&count, v, true, 0))
        return vgl_error_set(err, VGL_ELIMIT, "%s nested deeper than %d levels", vgl_json_pytype(v),
                             VGL_PY_MAX_DEPTH);
    if (count.n > VGL_JSON_MAX_LEN)
        return vgl_error_set(err, VGL_ELIMIT, "str() of %s is %zu bytes, over the limit",
                             vgl_json_pytype(v), count.n);
    struct sink w = {.p = vgl_arena_alloc(a, count.n)};
    repr_val(&w, v, true, 0);
    *out = vgl_json_str(w.p, w.n);
    return 0;
}

/*
 * Writes repr(s), cut to max_chars characters (0: no cut), into out for a message.  Text
 * past outsz is dropped at a character boundary.
 */
static const char *repr_for_msg(char *out, size_t outsz, const char *s, size_t n, size_t max_chars)
{
    struct sink k = {.p = out, .cap = outsz - 1};
    repr_str(&k, s, n, max_chars);
    size_t len = k.n < k.cap ? k.n : k.cap;
    if (k.n > k.cap && len > 0) {
        /* Drop a multi-byte character the cap cut in two. */
        size_t j = len - 1;
        while (j > 0 && ((unsigned char)out[j] & 0xc0) == 0x80)
            j--;
        unsigned lead = (unsigned char)out[j];
        size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (len - j < want)
            len = j;
    }
    out[len] = '\0';
    return out;
}

/* ---- exact integers from doubles ---------------------------------------------------- */

/*
 * Writes the exact decimal value of an integral, finite double (any magnitude) into out,
 * which must hold 330 bytes; returns the length.  Works in base-1e9 limbs: the 53-bit
 * mantissa, then shifted left by the binary exponent 29 bits at a time.
 */
static size_t fmt_integral_double(char *out, double d)
{
    size_t n = 0;
    if (d < 0)
        out[n++] = '-';
    int e;
    double m = frexp(fabs(d), &e);
    uint64_t mant = (uint64_t)ldexp(m, 53);
    e -= 53;
    if (e < 0) {
        mant = e <= -64 ? 0 : mant >> -e;
        e = 0;
    }
    uint32_t limb[40];
    size_t nl = 0;
    do {
        limb[nl++] = (uint32_t)(mant % 1000000000u);
        mant /= 1000000000u;
    } while (mant);
    while (e > 0) {
        int sh = e > 29 ? 29 : e;
        uint64_t carry = 0;
        for (size_t i = 0; i < nl; i++) {
            uint64_t x = ((uint64_t)limb[i] << sh) + carry;
            limb[i] = (uint32_t)(x % 1000000000u);
            carry = x / 1000000000u;
        }
        while (carry) {
            limb[nl++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
        e -= sh;
    }
    n += (size_t)sprintf(out + n, "%" PRIu32, limb[nl - 1]);
    for (size_t i = nl - 1; i-- > 0;)
        n += (size_t)sprintf(out + n, "%09" PRIu32, limb[i]);
    return n;
}

/* A big integer value over canonical decimal text (every other field zero). */
static struct vgl_json bigint(const char *digits, size_t n)
{
    struct vgl_json v = {.type = VGL_JSON_BIGINT, .len = (uint32_t)n, .u.s = digits};
    return v;
}

/* int(d) for a finite double. */
static void int_of_double(double d, struct vgl_arena *a, struct vgl_json *out)
{
    double t = trunc(d);
    if (t >= -9223372036854775808.0 && t < 9223372036854775808.0) {
        *out = vgl_json_int((int64_t)t);
        return;
    }
    char buf[330];
    size_t n = fmt_integral_double(buf, t);
    *out = bigint(vgl_arena_memdup(a, buf, n), n);
}

/* ---- string to number --------------------------------------------------------------- */

/* Py_ISSPACE: the ASCII white space CPython's number parsers strip. */
static bool ascii_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/*
 * CPython's _PyUnicode_TransformDecimalAndSpaceToASCII, which int() and float() apply to
 * a non-ASCII str first: Unicode white space becomes ' ', decimal digits become ASCII
 * digits, and any other non-ASCII character ends the text with '?' (which then fails
 * to parse).  out holds n bytes (the result is never longer); returns its length.
 */
static size_t to_ascii(const char *s, size_t n, char *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0;
    while (i < n) {
        uint32_t cp;
        bool bad;
        size_t l = utf8_next(u + i, n - i, &cp, &bad);
        i += l;
        if (!bad && cp < 127) {
            out[o++] = (char)cp;
            continue;
        }
        int d = bad ? -1 : uni_decimal(cp);
        if (!bad && vgl_py_isspace(cp)) {
            out[o++] = ' ';
        } else if (d >= 0) {
            out[o++] = (char)('0' + d);
        } else {
            out[o++] = '?';
            break;
        }
    }
    return o;
}

/* Scratch space for to_ascii: on the stack when small, else in the arena. */
static const char *ascii_view(const char *s, size_t *n, char *small, size_t smallsz,
                              struct vgl_arena *a)
{
    if (!has_non_ascii(s, *n))
        return s;
    char *buf = *n <= smallsz ? small : vgl_arena_alloc(a, *n);
    *n = to_ascii(s, *n, buf);
    return buf;
}

/*
 * PyLong_FromString in base 10 on ASCII text: white space, sign, digits with single
 * underscores between them, white space.  Returns false when the text is not an int.
 */
static bool parse_int(const char *s, size_t n, struct vgl_arena *a, struct vgl_json *out)
{
    size_t i = 0;
    while (i < n && ascii_space((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i >= n || !is_digit((unsigned char)s[i]))
        return false;
    size_t start = i;
    char prev = 0;
    while (i < n && (is_digit((unsigned char)s[i]) || s[i] == '_')) {
        if (s[i] == '_' && prev == '_')
            return false;
        prev = s[i++];
    }
    if (prev == '_')
        return false;
    size_t end = i;
    while (i < n && ascii_space((unsigned char)s[i]))
        i++;
    if (i != n)
        return false;

    /* Skip leading zeros, then count the significant digits. */
    while (start < end && (s[start] == '0' || s[start] == '_'))
        start++;
    size_t nsig = 0;
    for (size_t j = start; j < end; j++)
        nsig += s[j] != '_';
    if (nsig <= 19) {
        uint64_t u = 0;
        for (size_t j = start; j < end; j++)
            if (s[j] != '_')
                u = u * 10 + (uint64_t)(s[j] - '0');
        if (!neg && u <= (uint64_t)INT64_MAX) {
            *out = vgl_json_int((int64_t)u);
            return true;
        }
        if (neg && u <= (uint64_t)INT64_MAX + 1) {
            *out = vgl_json_int(u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u);
            return true;
        }
    }
    char *t = vgl_arena_alloc(a, nsig + 1);
    size_t k = 0;
    if (neg)
        t[k++] = '-';
    for (size_t j = start; j < end; j++)
        if (s[j] != '_')
            t[k++] = s[j];
    *out = bigint(t, k);
    return true;
}

static bool ieq(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i])
            return false;
    return true;
}

/*
 * _Py_string_to_number_with_underscores: an underscore is allowed only between two
 * digits, anywhere in the text (so "1e1_0" passes and "1_.5" does not).
 */
static bool underscores_ok(const char *s, size_t n)
{
    char prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' && !is_digit((unsigned char)prev))
            return false;
        if (s[i] != '_' && prev == '_' && !is_digit((unsigned char)s[i]))
            return false;
        prev = s[i];
    }
    return prev != '_';
}

/*
 * float() on ASCII text: white space, then Python's float syntax (no hex, no "nan(...)"),
 * then white space.  The digits are handed to strtod as "DIGITSeEXP" with no decimal
 * point, so the locale cannot interfere; glibc's strtod rounds correctly, as CPython's
 * dtoa does.
 */
static bool parse_float(const char *s, size_t n, struct vgl_arena *a, double *out)
{
    if (memchr(s, '_', n) && !underscores_ok(s, n))
        return false;
    while (n && ascii_space((unsigned char)s[n - 1]))
        n--;
    size_t i = 0;
    while (i < n && ascii_space((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (ieq(s + i, n - i, "inf") || ieq(s + i, n - i, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (ieq(s + i, n - i, "nan")) {
        *out = neg ? -NAN : NAN;
        return true;
    }
    /* Mantissa: int digits [. frac digits], at least one digit in all. */
    size_t int_start = i;
    while (i < n && (is_digit((unsigned char)s[i]) || s[i] == '_'))
        i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        while (i < n && (is_digit((unsigned char)s[i]) || s[i] == '_'))
            i++;
        frac_end = i;
    }
    if (int_end == int_start && frac_end == frac_start)
        return false;
    int64_t exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        bool eneg = false;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            eneg = s[j++] == '-';
        if (j >= n || !is_digit((unsigned char)s[j]))
            return false;
        for (; j < n && (is_digit((unsigned char)s[j]) || s[j] == '_'); j++)
            if (s[j] != '_' && exp < 1000000000)
                exp = exp * 10 + (s[j] - '0');
        if (eneg)
            exp = -exp;
        i = j;
    }
    if (i != n)
        return false;

    /* Significant digits: M = int digits + frac digits, value = M * 10^exp10. */
    size_t nfrac = 0;
    for (size_t j = frac_start; j < frac_end; j++)
        nfrac += s[j] != '_';
    int64_t exp10 = exp - (int64_t)nfrac;
    size_t cap = (int_end - int_start) + (frac_end - frac_start) + 32;
    char small[128];
    char *m = cap <= sizeof small ? small : vgl_arena_alloc(a, cap);
    size_t nm = 0;
    for (size_t j = int_start; j < frac_end; j++) {
        char c = s[j];
        if (c == '_' || c == '.' || (c == '0' && nm == 0))
            continue;
        m[nm++] = c;
    }
    while (nm && m[nm - 1] == '0') {
        nm--;
        exp10++;
    }
    if (nm == 0 || (int64_t)nm + exp10 < -330) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    if ((int64_t)nm + exp10 > 310) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    nm += (size_t)snprintf(m + nm, 32, "e%" PRId64, exp10);
    double d = strtod(m, NULL);
    *out = neg ? -d : d;
    return true;
}

/* ---- conversions -------------------------------------------------------------------- */

int vgl_py_int(const struct vgl_json *v, struct vgl_arena *a, struct vgl_json *out,
               struct vgl_error *err)
{
    switch (v->type) {
    case VGL_JSON_INT:
    case VGL_JSON_BIGINT:
        *out = *v;
        return 0;
    case VGL_JSON_BOOL:
        *out = vgl_json_int(v->u.b);
        return 0;
    case VGL_JSON_FLOAT:
        if (isnan(v->u.d))
            return vgl_error_set(err, VGL_EPARSE, "cannot convert float NaN to integer");
        if (isinf(v->u.d))
            return vgl_error_set(err, VGL_ELIMIT, "cannot convert float infinity to integer");
        int_of_double(v->u.d, a, out);
        return 0;
    case VGL_JSON_STRING: {
        char small[128];
        size_t n = v->len;
        const char *s = ascii_view(v->u.s, &n, small, sizeof small, a);
        if (parse_int(s, n, a, out))
            return 0;
#define INT_MSG "invalid literal for int() with base 10: "
        /* Sized so the message never cuts a character in two. */
        char q[VGL_ERROR_MSG_MAX - sizeof INT_MSG + 1];
        return vgl_error_set(err, VGL_EPARSE, INT_MSG "%s",
                             repr_for_msg(q, sizeof q, v->u.s, v->len, 200));
#undef INT_MSG
    }
    default:
        return vgl_error_set(err, VGL_ETYPE,
                             "int() argument must be a string, a bytes-like object or a "
                             "real number, not '%s'",
                             vgl_json_pytype(v));
    }
}

/* float(int) for a big integer: correctly rounded, OverflowError past DBL_MAX. */
static int bigint_to_double(const struct vgl_json *v, struct vgl_arena *a, double *out,
                            struct vgl_error *err)
{
    char small[64];
    char *t = v->len < sizeof small ? small : vgl_arena_alloc(a, (size_t)v->len + 1);
    memcpy(t, v->u.s, v->len);
    t[v->len] = '\0';
    double d = strtod(t, NULL);
    if (isinf(d))
        return vgl_error_set(err, VGL_ELIMIT, "int too large to convert to float");
    *out = d;
    return 0;
}

int vgl_py_float(const struct vgl_json *v, struct vgl_arena *a, struct vgl_json *out,
                 struct vgl_error *err)
{
    double d = 0;
    switch (v->type) {
    case VGL_JSON_FLOAT:
        *out = *v;
        return 0;
    case VGL_JSON_INT:
        *out = vgl_json_float((double)v->u.i);
        return 0;
    case VGL_JSON_BOOL:
        *out = vgl_json_float(v->u.b ? 1.0 : 0.0);
        return 0;
    case VGL_JSON_BIGINT: {
        int rc = bigint_to_double(v, a, &d, err);
        if (rc)
            return rc;
        *out = vgl_json_float(d);
        return 0;
    }
    case VGL_JSON_STRING: {
        char small[128];
        size_t n = v->len;
        const char *s = ascii_view(v->u.s, &n, small, sizeof small, a);
        if (parse_float(s, n, a, &d)) {
            *out = vgl_json_float(d);
            return 0;
        }
#define FLOAT_MSG "could not convert string to float: "
        char q[VGL_ERROR_MSG_MAX - sizeof FLOAT_MSG + 1];
        return vgl_error_set(err, VGL_EPARSE, FLOAT_MSG "%s",
                             repr_for_msg(q, sizeof q, v->u.s, v->len, 0));
#undef FLOAT_MSG
    }
    default:
        return vgl_error_set(err, VGL_ETYPE,
                             "float() argument must be a string or a real number, not '%s'",
                             vgl_json_pytype(v));
    }
}

bool vgl_py_bool_of(const struct vgl_json *v)
{
    /* str(v).lower() == "true".  Only True and strings can print as "true": no other
     * type's str() starts with a letter of it, and no non-ASCII character lowercases
     * to an ASCII letter of "true" (checked over all of Unicode with CPython 3.11). */
    if (v->type == VGL_JSON_BOOL)
        return v->u.b;
    if (v->type != VGL_JSON_STRING || v->len != 4)
        return false;
    const char *s = v->u.s;
    return (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'r' && (s[2] | 0x20) == 'u' &&
           (s[3] | 0x20) == 'e';
}

/* ---- number ordering ---------------------------------------------------------------- */

/* Compares canonical decimal integer texts. */
static int bigcmp(const char *a, size_t an, const char *b, size_t bn)
{
    bool na = an && a[0] == '-', nb = bn && b[0] == '-';
    if (na != nb)
        return na ? -1 : 1;
    int r;
    if (an != bn) {
        r = an < bn ? -1 : 1;
    } else {
        int c = memcmp(a, b, an);
        r = (c > 0) - (c < 0);
    }
    return na ? -r : r;
}

/* Exact int64 <=> double, as CPython's float_richcompare does; 2 when d is NaN. */
static int cmp_int_double(int64_t i, double d)
{
    if (isnan(d))
        return 2;
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    double t = trunc(d);
    int64_t ti = (int64_t)t;
    if (i != ti)
        return i < ti ? -1 : 1;
    return d > t ? -1 : d < t ? 1 : 0;
}

/* A big integer (|b| >= 2^63) <=> double. */
static int cmp_big_double(const struct vgl_json *b, double d)
{
    if (isnan(d))
        return 2;
    bool bneg = b->len && b->u.s[0] == '-';
    if (fabs(d) < 9223372036854775808.0)
        return bneg ? -1 : 1;
    if (isinf(d))
        return d > 0 ? -1 : 1;
    char buf[330];
    size_t n = fmt_integral_double(buf, d);
    return bigcmp(b->u.s, b->len, buf, n);
}

int vgl_py_numcmp(const struct vgl_json *a, const struct vgl_json *b)
{
    struct vgl_json x = *a, y = *b;
    if (x.type == VGL_JSON_BOOL)
        x = vgl_json_int(x.u.b);
    if (y.type == VGL_JSON_BOOL)
        y = vgl_json_int(y.u.b);
    switch (x.type * 8 + y.type) {
    case VGL_JSON_INT * 8 + VGL_JSON_INT:
        return (x.u.i > y.u.i) - (x.u.i < y.u.i);
    case VGL_JSON_FLOAT * 8 + VGL_JSON_FLOAT:
        if (isnan(x.u.d) || isnan(y.u.d))
            return 2;
        return (x.u.d > y.u.d) - (x.u.d < y.u.d);
    case VGL_JSON_INT * 8 + VGL_JSON_FLOAT:
        return cmp_int_double(x.u.i, y.u.d);
    case VGL_JSON_FLOAT * 8 + VGL_JSON_INT: {
        int r = cmp_int_double(y.u.i, x.u.d);
        return r == 2 ? 2 : -r;
    }
    case VGL_JSON_BIGINT * 8 + VGL_JSON_BIGINT:
        return bigcmp(x.u.s, x.len, y.u.s, y.len);
    case VGL_JSON_BIGINT * 8 + VGL_JSON_INT:
        return x.len && x.u.s[0] == '-' ? -1 : 1;
    case VGL_JSON_INT * 8 + VGL_JSON_BIGINT:
        return y.len && y.u.s[0] == '-' ? 1 : -1;
    case VGL_JSON_BIGINT * 8 + VGL_JSON_FLOAT:
        return cmp_big_double(&x, y.u.d);
    case VGL_JSON_FLOAT * 8 + VGL_JSON_BIGINT: {
        int r = cmp_big_double(&y, x.u.d);
        return r == 2 ? 2 : -r;
    }
    default:
        return 2;
    }
}
