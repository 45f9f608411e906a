"""Table rows for the string ops (arroyo/ops/string_ops.py).

String tensors are object arrays of bytes; references are written with Python's bytes and
str methods. Ragged results are compared as their components (flat values, row splits).
TF's goldens (tools/make_goldens.py cases_strings) store the same components.
"""

import numpy as np

from tests.harness import Case


def _s(*items):
    out = np.empty(len(items), dtype=object)
    out[:] = [i.encode() if isinstance(i, str) else i for i in items]
    return out


def _m(rows):
    return np.array([[c.encode() for c in r] for r in rows], dtype=object)


WORDS = _s("hello", "héllo wörld", "", "Tensor Flow")
MAT = _m([["a", "b", "c"], ["d", "e", "f"]])
SENT = _s("hello world", " a  b c ", "", "x")
CSV = _s("a,b,,c", ",x", "")
ALNUM = _s("abc123", "xyz", "a1b2")
NUMS = _s("1.5", "-2", "1e3", " 3 ", "inf", "0x10")
INTS = _s("12", "-3", " 4 ", "+7")
F32 = np.array([3.14159, -1e-5, 1e10, 0.0, np.inf, -np.inf, np.nan, 1.5], np.float32)
I32 = np.array([0, -5, 123456, 7], np.int32)
UTF = _s("Göödnight", "😊", "", b"ab\xffc", b"\x01x")
BAD = _s(b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82x")
CPS = np.array([71, 246, 246, 128522, 65], np.int32)
CP_SPLITS = np.array([0, 3, 3, 5], np.int64)


def _parts(rt):
    return [rt.flat_values, *rt.nested_row_splits]


def _flat(xs):
    return [v for v in np.asarray(xs).ravel().tolist()]


def _objs(items, shape=None):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out.reshape(shape if shape is not None else (len(items),))


def _ragged_ref(rows, dtype=object):
    flat = [v for r in rows for v in r]
    vals = _objs(flat) if dtype is object else np.array(flat, dtype)
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    return [vals, splits]


def _utf8_len(b):
    return sum(1 for c in b if c & 0xC0 != 0x80)


CASES = [
    # -- length / substr
    Case("string_length", lambda tf, x: tf.strings.length(x), [WORDS], ops=("StringLength",),
         ref=lambda x: np.array([len(v) for v in x], np.int32)),
    Case("string_length_utf8", lambda tf, x: tf.strings.length(x, unit="UTF8_CHAR"), [WORDS],
         ops=("StringLength",), ref=lambda x: np.array([_utf8_len(v) for v in x], np.int32)),
    Case("string_length_2d", lambda tf, x: tf.strings.length(x), [MAT], ops=("StringLength",),
         ref=lambda x: np.ones((2, 3), np.int32)),
    Case("substr", lambda tf, x: tf.strings.substr(x, 0, 3), [WORDS], ops=("Substr",),
         ref=lambda x: _objs([v[:3] for v in x])),
    Case("substr_negative_pos", lambda tf, x: tf.strings.substr(x, -1, 1),
         [_s("abc", "xy")], ops=("Substr",), ref=lambda x: _s("c", "y")),
    Case("substr_negative_len", lambda tf, x: tf.strings.substr(x, 1, -1),
         [_s("abc", "xy")], ops=("Substr",), ref=lambda x: _s("bc", "y")),
    Case("substr_utf8", lambda tf, x: tf.strings.substr(x, 1, 3, unit="UTF8_CHAR"),
         [_s("héllo", "wörld")], ops=("Substr",), ref=lambda x: _s("éll", "örl")),
    Case("substr_elementwise",
         lambda tf, x, p, n: tf.strings.substr(x, p, n),
         [_s("hello", "world", "ab"), np.array([0, 1, 2], np.int32),
          np.array([2, 3, 0], np.int32)],
         ops=("Substr",), ref=lambda x, p, n: _s("he", "orl", "")),
    Case("substr_broadcast",
         lambda tf, x, p, n: tf.strings.substr(x, p, n),
         [_s("hello", "world"), np.array([[0], [2]], np.int64), np.array([[1], [2]], np.int64)],
         ops=("Substr",), ref=lambda x, p, n: _m([["h", "w"], ["ll", "rl"]])),
    # -- case, strip
    Case("string_upper", lambda tf, x: tf.strings.upper(x), [WORDS], ops=("StringUpper",),
         ref=lambda x: _objs([v.upper() for v in x])),
    Case("string_upper_utf8", lambda tf, x: tf.strings.upper(x, encoding="utf-8"), [WORDS],
         ops=("StringUpper",), ref=lambda x: _objs([v.decode().upper().encode() for v in x])),
    Case("string_lower", lambda tf, x: tf.strings.lower(x), [_s("ÀBC dEF", "XY")],
         ops=("StringLower",), ref=lambda x: _objs([v.lower() for v in x])),
    Case("string_lower_utf8", lambda tf, x: tf.strings.lower(x, encoding="utf-8"),
         [_s("ÀBC dEF", "XY")], ops=("StringLower",), ref=lambda x: _s("àbc def", "xy")),
    Case("string_strip", lambda tf, x: tf.strings.strip(x),
         [_s("  a b \t\n", "\x0b\x0cx\r", "\xa0y", "")], ops=("StringStrip",),
         ref=lambda x: _objs([v.strip() for v in x])),
    # -- join
    Case("string_join", lambda tf, a, b: tf.strings.join([a, b, "!"], separator="-"),
         [_s("a", "b"), _s("c", "d")], ops=("StringJoin",), ref=lambda a, b: _s("a-c-!", "b-d-!")),
    Case("string_join_scalars", lambda tf: tf.strings.join(["a", "b"]), [],
         ops=("StringJoin",), ref=lambda: np.array(b"ab", dtype=object)),
    Case("reduce_join_all", lambda tf, x: tf.strings.reduce_join(x), [MAT],
         ops=("ReduceJoin",), ref=lambda x: np.array(b"abcdef", dtype=object)),
    Case("reduce_join_axis0", lambda tf, x: tf.strings.reduce_join(x, axis=0, separator=","),
         [MAT], ops=("ReduceJoin",), ref=lambda x: _s("a,d", "b,e", "c,f")),
    Case("reduce_join_keepdims",
         lambda tf, x: tf.strings.reduce_join(x, axis=-1, keepdims=True), [MAT],
         ops=("ReduceJoin",), ref=lambda x: _m([["abc"], ["def"]])),
    Case("reduce_join_axes_order", lambda tf, x: tf.strings.reduce_join(x, axis=[0, 1]), [MAT],
         ops=("ReduceJoin",), ref=lambda x: np.array(b"adbecf", dtype=object)),
    Case("unsorted_segment_join",
         lambda tf, x, i: tf.strings.unsorted_segment_join(x, i, 4, separator="-"),
         [_s("a", "b", "c", "d"), np.array([0, 1, 0, 3], np.int32)],
         ops=("UnsortedSegmentJoin",), ref=lambda x, i: _s("a-c", "b", "", "d")),
    # -- split
    Case("split_whitespace", lambda tf, x: _parts(tf.strings.split(x)), [SENT],
         ops=("StringSplitV2",), ref=lambda x: _ragged_ref([v.split() for v in x])),
    Case("split_sep", lambda tf, x: _parts(tf.strings.split(x, sep=",")), [CSV],
         ops=("StringSplitV2",), ref=lambda x: _ragged_ref([v.split(b",") for v in x])),
    Case("split_maxsplit", lambda tf, x: _parts(tf.strings.split(x, sep=",", maxsplit=1)),
         [CSV], ops=("StringSplitV2",),
         ref=lambda x: _ragged_ref([v.split(b",", 1) for v in x])),
    Case("split_2d", lambda tf, x: _parts(tf.strings.split(x)),
         [_m([["a b", "c"], ["d e f", ""]])], ops=("StringSplitV2",),
         ref=lambda x: [_s("a", "b", "c", "d", "e", "f"), np.array([0, 2, 4]),
                        np.array([0, 2, 3, 6, 6])]),
    Case("split_raw", lambda tf, x: list(tf.raw_ops.StringSplitV2(input=x, sep=" ")), [SENT],
         ops=("StringSplitV2",)),
    Case("bytes_split", lambda tf, x: _parts(tf.strings.bytes_split(x)), [_s("ab", "", "é")],
         ops=("StringSplit",),
         ref=lambda x: _ragged_ref([[v[i:i + 1] for i in range(len(v))] for v in x])),
    Case("string_split_v1", lambda tf, x: list(tf.raw_ops.StringSplit(input=x, delimiter=" ,")),
         [CSV], ops=("StringSplit",)),
    # -- regular expressions
    Case("regex_full_match", lambda tf, x: tf.strings.regex_full_match(x, r"[a-z]+\d+"),
         [ALNUM], ops=("StaticRegexFullMatch",), ref=lambda x: np.array([True, False, False])),
    Case("regex_full_match_tensor",
         lambda tf, x: tf.strings.regex_full_match(x, tf.constant(r"[a-z]\d[a-z]\d")),
         [ALNUM], ops=("RegexFullMatch",), ref=lambda x: np.array([False, False, True])),
    Case("regex_full_match_end", lambda tf, x: tf.strings.regex_full_match(x, r"ab$"),
         [_s("ab\n", "ab")], ops=("StaticRegexFullMatch",), ref=lambda x: np.array([False, True])),
    Case("regex_replace", lambda tf, x: tf.strings.regex_replace(x, r"\d", "#"), [ALNUM],
         ops=("StaticRegexReplace",), ref=lambda x: _s("abc###", "xyz", "a#b#")),
    Case("regex_replace_first",
         lambda tf, x: tf.strings.regex_replace(x, r"\d", "#", replace_global=False), [ALNUM],
         ops=("StaticRegexReplace",), ref=lambda x: _s("abc#23", "xyz", "a#b2")),
    Case("regex_replace_groups",
         lambda tf, x: tf.strings.regex_replace(x, r"([a-z])(\d)", r"<\2\1\0>"), [ALNUM],
         ops=("StaticRegexReplace",), ref=lambda x: _s("ab<1cc1>23", "xyz", "<1aa1><2bb2>")),
    Case("regex_replace_empty_matches", lambda tf, x: tf.strings.regex_replace(x, "x*", "-"),
         [ALNUM], ops=("StaticRegexReplace",),
         ref=lambda x: _s("-a-b-c-1-2-3-", "-y-z-", "-a-1-b-2-")),
    Case("regex_replace_tensor",
         lambda tf, x: tf.strings.regex_replace(x, tf.constant("[ab]"), tf.constant("_")),
         [ALNUM], ops=("RegexReplace",), ref=lambda x: _s("__c123", "xyz", "_1_2")),
    # -- numbers
    Case("to_number", lambda tf, x: tf.strings.to_number(x), [NUMS], ops=("StringToNumber",),
         ref=lambda x: np.array([1.5, -2, 1000, 3, np.inf, 16], np.float32)),
    Case("to_number_f64", lambda tf, x: tf.strings.to_number(x, tf.float64), [NUMS],
         ops=("StringToNumber",), ref=lambda x: np.array([1.5, -2, 1000, 3, np.inf, 16])),
    Case("to_number_int", lambda tf, x: tf.strings.to_number(x, tf.int32), [INTS],
         ops=("StringToNumber",), ref=lambda x: np.array([12, -3, 4, 7], np.int32)),
    Case("to_number_uint64", lambda tf, x: tf.strings.to_number(x, tf.uint64),
         [_s("18446744073709551615", "0")], ops=("StringToNumber",),
         ref=lambda x: np.array([2**64 - 1, 0], np.uint64)),
    Case("as_string_float", lambda tf, x: tf.strings.as_string(x), [F32], ops=("AsString",),
         ref=lambda x: _objs([(b"%f" % v) for v in x.tolist()])),
    Case("as_string_precision", lambda tf, x: tf.strings.as_string(x, precision=2), [F32],
         ops=("AsString",)),
    Case("as_string_scientific",
         lambda tf, x: tf.strings.as_string(x, precision=3, scientific=True), [F32],
         ops=("AsString",)),
    Case("as_string_shortest", lambda tf, x: tf.strings.as_string(x, shortest=True), [F32],
         ops=("AsString",)),
    Case("as_string_width_fill", lambda tf, x: tf.strings.as_string(x, width=12, fill="0"),
         [F32], ops=("AsString",)),
    Case("as_string_f64_space", lambda tf, x: tf.strings.as_string(x, width=12, fill=" "),
         [F32.astype(np.float64)], ops=("AsString",)),
    Case("as_string_f16", lambda tf, x: tf.strings.as_string(x), [np.array([3.14159, -1e-5, 65504, np.inf, np.nan, 0.1], np.float16)],
         ops=("AsString",)),
    Case("as_string_int", lambda tf, x: tf.strings.as_string(x, width=5, fill="0"), [I32],
         ops=("AsString",), ref=lambda x: _s("00000", "-0005", "123456", "00007")),
    Case("as_string_int64", lambda tf, x: tf.as_string(x),
         [np.array([2**63 - 1, -2**63], np.int64)], ops=("AsString",)),
    Case("as_string_uint8", lambda tf, x: tf.strings.as_string(x, width=4, fill="-"),
         [np.array([255, 3], np.uint8)], ops=("AsString",)),
    Case("as_string_bool", lambda tf, x: tf.strings.as_string(x), [np.array([True, False])],
         ops=("AsString",), ref=lambda x: _s("true", "false")),
    Case("as_string_complex", lambda tf, x: tf.strings.as_string(x, precision=2),
         [np.array([1 + 2j, -0.5j], np.complex64)], ops=("AsString",),
         ref=lambda x: _s("(1.00,2.00)", "(-0.00,-0.50)")),
    Case("as_string_string", lambda tf, x: tf.strings.as_string(x, width=4, precision=2),
         [_s("abc", "d")], ops=("AsString",), ref=lambda x: _s("  ab", "   d")),
    Case("string_format",
         lambda tf, a, b: tf.strings.format("a={} b={}", [a, b]),
         [np.arange(10, dtype=np.int32), np.array([1.5, 2.0, 1e-7], np.float32)],
         ops=("StringFormat",),
         ref=lambda a, b: np.array(b"a=[0 1 2 ... 7 8 9] b=[1.5 2 1e-07]", dtype=object)),
    Case("string_format_summarize",
         lambda tf, a, s: tf.strings.format("{} and {}", [a, s], summarize=1),
         [np.arange(6, dtype=np.int64).reshape(3, 2), np.array(b"hi", dtype=object)],
         ops=("StringFormat",)),
    # -- unicode
    Case("unicode_decode", lambda tf, x: _parts(tf.strings.unicode_decode(x, "UTF-8")), [UTF],
         ops=("UnicodeDecode",),
         ref=lambda x: _ragged_ref([[ord(c) for c in v.decode("utf-8", "replace")] for v in x],
                                   np.int32)),
    Case("unicode_decode_options",
         lambda tf, x: _parts(tf.strings.unicode_decode(
             x, "UTF-8", replacement_char=63, replace_control_characters=True)),
         [UTF], ops=("UnicodeDecode",)),
    Case("unicode_decode_ignore",
         lambda tf, x: _parts(tf.strings.unicode_decode(x, "UTF-8", errors="ignore")), [BAD],
         ops=("UnicodeDecode",)),
    Case("unicode_decode_malformed",
         lambda tf, x: _parts(tf.strings.unicode_decode(x, "UTF-8")), [BAD],
         ops=("UnicodeDecode",),
         ref=lambda x: _ragged_ref([[ord(c) for c in v.decode("utf-8", "replace")] for v in x],
                                   np.int32)),
    Case("unicode_decode_utf16",
         lambda tf, x: _parts(tf.strings.unicode_decode(x, "UTF-16-BE")),
         [_s("a😊".encode("utf-16-be"), b"\x00a\x00")], ops=("UnicodeDecode",),
         ref=lambda x: _ragged_ref([[97, 128522], [97, 65533]], np.int32)),
    Case("unicode_decode_utf32",
         lambda tf, x: tf.strings.unicode_decode(x, "UTF-32-BE"),
         [np.array("a😊".encode("utf-32-be"), dtype=object)], ops=("UnicodeDecode",),
         ref=lambda x: np.array([97, 128522], np.int32)),
    Case("unicode_decode_with_offsets",
         lambda tf, x: [*_parts(tf.strings.unicode_decode_with_offsets(x, "UTF-8")[0]),
                        tf.strings.unicode_decode_with_offsets(x, "UTF-8")[1].flat_values],
         [_s("aé😊", b"a\xe2\x82x\xc3\xa9\xff")], ops=("UnicodeDecodeWithOffsets",),
         ref=lambda x: [np.array([97, 233, 128522, 97, 65533, 120, 233, 65533], np.int32),
                        np.array([0, 3, 8]), np.array([0, 1, 3, 0, 1, 3, 4, 6])]),
    Case("unicode_split", lambda tf, x: _parts(tf.strings.unicode_split(x, "UTF-8")), [UTF],
         ops=("UnicodeDecode", "UnicodeEncode")),
    Case("unicode_encode",
         lambda tf, v, s: tf.strings.unicode_encode(tf.RaggedTensor.from_row_splits(v, s),
                                                    "UTF-8"),
         [CPS, CP_SPLITS], ops=("UnicodeEncode",), ref=lambda v, s: _s("Göö", "", "😊A")),
    Case("unicode_encode_utf16_invalid",
         lambda tf, v: tf.strings.unicode_encode(v, "UTF-16-BE"),
         [np.array([[71, 0x110000], [-1, 0xD800]], np.int32)], ops=("UnicodeEncode",)),
    Case("unicode_transcode",
         lambda tf, x: tf.strings.unicode_transcode(x, "UTF-8", "UTF-16-BE"), [UTF],
         ops=("UnicodeTranscode",)),
    Case("unicode_transcode_utf32_ctrl",
         lambda tf, x: tf.strings.unicode_transcode(x, "UTF-8", "UTF-32-BE",
                                                    replace_control_characters=True),
         [UTF], ops=("UnicodeTranscode",)),
    # -- ngrams
    Case("ngrams", lambda tf, x: tf.strings.ngrams(x, 2), [_s("a", "b", "c", "d")],
         ops=("StringNGrams",), ref=lambda x: _s("a b", "b c", "c d")),
    Case("ngrams_ragged_padded",
         lambda tf, v, s: _parts(tf.strings.ngrams(tf.RaggedTensor.from_row_splits(v, s),
                                                   [1, 3], pad_values=("L", "R"),
                                                   padding_width=1)),
         [_s("a", "b", "c", "d"), np.array([0, 3, 4, 4], np.int64)], ops=("StringNGrams",)),
    Case("ngrams_preserve_short",
         lambda tf, v, s: _parts(tf.strings.ngrams(tf.RaggedTensor.from_row_splits(v, s), 3,
                                                   separator="_", pad_values="P",
                                                   padding_width=1,
                                                   preserve_short_sequences=True)),
         [_s("a", "b", "c", "d"), np.array([0, 3, 4, 4], np.int64)], ops=("StringNGrams",)),
    # -- ragged dispatch
    Case("ragged_substr",
         lambda tf, v, s: _parts(tf.strings.substr(tf.RaggedTensor.from_row_splits(v, s), 0, 2)),
         [_s("So", "long", "thanks", "for"), np.array([0, 2, 4], np.int64)], ops=("Substr",),
         ref=lambda v, s: [_s("So", "lo", "th", "fo"), s]),
    Case("ragged_length",
         lambda tf, v, s: _parts(tf.strings.length(tf.RaggedTensor.from_row_splits(v, s))),
         [_s("So", "long", "thanks"), np.array([0, 2, 3], np.int64)], ops=("StringLength",),
         ref=lambda v, s: [np.array([2, 4, 6], np.int32), s]),
    Case("ragged_reduce_join",
         lambda tf, v, s: tf.strings.reduce_join(tf.RaggedTensor.from_row_splits(v, s), axis=1,
                                                 separator=" "),
         [_s("So", "long", "thanks"), np.array([0, 2, 2, 3], np.int64)],
         ops=("UnsortedSegmentJoin",), ref=lambda v, s: _s("So long", "", "thanks")),
]  # fmt: skip
