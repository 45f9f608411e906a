"""tf.strings beyond the op table: TF's errors, ragged/sparse dispatch, tf.function, raw ops.

Expected messages are TF 2.21's (without its `{{function_node ...}}` prefix).
"""

from __future__ import annotations

import numpy as np
import pytest

import arroyo as tf
from arroyo.framework.errors import InvalidArgumentError, OutOfRangeError

S = tf.constant(["hello", "héllo wörld", ""])


def _raises(exc, match, fn):
    with pytest.raises(exc) as info:
        fn()
    assert match in str(info.value), str(info.value)


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn,msg",
    [
        (lambda: tf.strings.substr(S, 1, 3), "pos 1 out of range for string b'' at index 2 [Op:Substr]"),
        (lambda: tf.strings.substr(S, 6, 3), "pos 6 out of range for string b'hello' at index 0"),
        (lambda: tf.strings.substr(S, -7, 2), "pos -7 out of range for string b'hello' at index 0"),
        (lambda: tf.strings.substr(S, 1, 3, unit="UTF8_CHAR"),
         "pos 1 out of range for string at index 2 [Op:Substr]"),
        (lambda: tf.strings.substr(tf.constant(["héllo"]), 9, 1),
         "pos 9 out of range for string b'héllo' at index 0"),
        (lambda: tf.strings.substr(tf.constant(["a\x00b"]), 7, 1),
         "pos 7 out of range for string b'a [Op:Substr]"),
        (lambda: tf.strings.substr(S, [0, 1], [1, 2]), "Incompatible shapes: [3] vs. [2] [Op:Substr]"),
        (lambda: tf.strings.substr(S, [1, 2], 1),
         "pos and len should have the same shape, got: [2] vs. [] [Op:Substr]"),
        (lambda: tf.strings.substr(S, tf.constant(1, tf.int64), tf.constant(1, tf.int32)),
         "cannot compute Substr as input #2(zero-based) was expected to be a int64 tensor but is "
         "a int32 tensor [Op:Substr]"),
        (lambda: tf.strings.substr(S, 1.0, 1),
         "Value for attr 'T' of float is not in the list of allowed values: int32, int64"),
        (lambda: tf.strings.length(S, unit="BAD"),
         "Value for attr 'unit' of \"BAD\" is not in the list of allowed values: \"BYTE\", "
         "\"UTF8_CHAR\""),
        (lambda: tf.strings.length(tf.constant([1])),
         "cannot compute StringLength as input #0(zero-based) was expected to be a string tensor "
         "but is a int32 tensor [Op:StringLength]"),
        (lambda: tf.strings.upper(S, encoding="latin1"),
         "only utf-8 or '' (no encoding) is supported, received latin1 [Op:StringUpper]"),
        (lambda: tf.strings.join([["a", "b"], ["c", "d", "e"]]),
         "Input shapes do not match: [2] vs. [3] [Op:StringJoin]"),
        (lambda: tf.strings.reduce_join(tf.constant([["a"]]), axis=[1, 1]),
         "Duplicate reduction dimension 1 [Op:ReduceJoin]"),
        (lambda: tf.strings.split(["abc"], sep=["a"]),
         "sep must be a scalar, got shape: [1] [Op:StringSplitV2]"),
        (lambda: tf.strings.regex_full_match(S, "(abc"),
         "Invalid pattern: (abc, error: missing ): (abc [Op:StaticRegexFullMatch]"),
        (lambda: tf.strings.regex_replace(S, tf.constant(r"(\d"), "#"),
         "Invalid pattern: (\\d, error: missing ): (\\d [Op:RegexReplace]"),
        (lambda: tf.strings.to_number(["1.5"], tf.int32),
         "StringToNumberOp could not correctly convert string: 1.5 [Op:StringToNumber]"),
        (lambda: tf.strings.to_number(["1_0"]),
         "StringToNumberOp could not correctly convert string: 1_0"),
        (lambda: tf.strings.to_number(["99999999999"], tf.int32),
         "could not correctly convert string: 99999999999"),
        (lambda: tf.strings.to_number(["-1"], tf.uint32), "could not correctly convert string: -1"),
        (lambda: tf.strings.to_number(["1"], tf.int8),
         "Value for attr 'out_type' of int8 is not in the list of allowed values: float, double, "
         "int32, int64, uint32, uint64"),
        (lambda: tf.strings.as_string([1.0], width=12, fill="x"),
         'Fill argument not supported: "x" [Op:AsString]'),
        (lambda: tf.strings.as_string([1.0], fill="00"),
         "Fill string must be one or fewer characters [Op:AsString]"),
        (lambda: tf.strings.as_string([1.0], scientific=True, shortest=True),
         "Cannot select both scientific and shortest notation [Op:AsString]"),
        (lambda: tf.strings.as_string([1], precision=2),
         "precision not supported for datatype int32 [Op:AsString]"),
        (lambda: tf.strings.as_string([True], shortest=True),
         "scientific and shortest format not supported for datatype bool [Op:AsString]"),
        (lambda: tf.strings.unicode_decode([b"a\xff"], "UTF-8", errors="strict"),
         "Invalid formatting on input string [Op:UnicodeDecode]"),
        (lambda: tf.strings.unicode_decode(["abc"], "bogus"),
         "Could not create converter for input encoding: bogus [Op:UnicodeDecode]"),
        (lambda: tf.strings.unicode_decode([b"a"], "UTF-8", replacement_char=0x110000),
         "replacement_char out of unicode codepoint range [Op:UnicodeDecode]"),
        (lambda: tf.strings.unicode_decode(["abc"], "UTF-8", errors="bad"),
         "Value for attr 'errors' of \"bad\" is not in the list of allowed values: \"strict\", "
         "\"replace\", \"ignore\""),
        (lambda: tf.strings.unicode_encode([71, 0x110000], "UTF-8", errors="strict"),
         "Code point is out of range for Unicode, or is a surrogate. [Op:UnicodeEncode]"),
        (lambda: tf.strings.unicode_encode([97], "latin1"),
         "Value for attr 'output_encoding' of \"latin1\" is not in the list of allowed values"),
        (lambda: tf.raw_ops.UnicodeEncode(input_values=[97, 98], input_splits=[0, 1, 3],
                                          output_encoding="UTF-8"),
         "Last value in input_splits must be equal to length of input_tensor. [Op:UnicodeEncode]"),
        (lambda: tf.strings.unicode_transcode([b"a\xffb"], "UTF-8", "UTF-8", errors="strict"),
         "Invalid formatting on input string [Op:UnicodeTranscode]"),
        (lambda: tf.strings.unsorted_segment_join(["a", "b"], [0, 2], 2),
         "segment_ids are not allowed to exceed num_segments or to have negative values. "
         "[Op:UnsortedSegmentJoin]"),
    ],
)  # fmt: skip
def test_invalid_argument_errors_as_tf(fn, msg):
    _raises(InvalidArgumentError, msg, fn)


def test_other_error_types_as_tf():
    m = tf.constant([["a", "b"]])
    _raises(OutOfRangeError, "Invalid reduction dimension 2 for input with 2 dimension(s)",
            lambda: tf.strings.reduce_join(m, axis=2))  # fmt: skip
    _raises(TypeError, "Cannot convert [1, 2] to EagerTensor of dtype string",
            lambda: tf.strings.join([[1, 2]]))  # fmt: skip
    _raises(TypeError, "Expected list for 'inputs' argument to 'string_join' Op, not 'abc'.",
            lambda: tf.strings.join("abc"))  # fmt: skip
    _raises(ValueError, "The template expects 2 tensors, but the inputs only has 1.",
            lambda: tf.strings.format("x={} {}", tf.constant([1.5])))  # fmt: skip


# -- behaviour the table does not show -------------------------------------------------------


def test_substr_utf8_char_boundaries_as_tf():
    # A leading continuation byte starts the first character; negative len is empty in chars.
    assert tf.strings.substr([b"\xa9abc"], 0, 2, unit="UTF8_CHAR").numpy().tolist() == [b"\xa9a"]
    x = tf.constant([b"\xc3\xa9\xa9abc"])
    assert tf.strings.substr(x, 1, 2, unit="UTF8_CHAR").numpy().tolist() == [b"ab"]
    assert tf.strings.length(x, unit="UTF8_CHAR").numpy().tolist() == [4]
    y = tf.strings.substr(["héllo", "abcdef"], 1, -2, unit="UTF8_CHAR")
    assert y.numpy().tolist() == [b"", b""]
    assert tf.strings.substr("héllo", 5, 1).numpy() == b"o"


def test_split_edge_cases_as_tf():
    assert tf.strings.split("hello  world ").numpy().tolist() == [b"hello", b"world"]
    r = tf.strings.split(["", "a,", ",", "a,b,c"], sep=",")
    assert r.to_list() == [[b""], [b"a", b""], [b"", b""], [b"a", b"b", b"c"]]
    assert tf.strings.split(["a,b,c"], sep=",", maxsplit=0).to_list() == [[b"a,b,c"]]
    assert tf.strings.split(["  a b  "], maxsplit=0).to_list() == [[b"  a b  "]]
    assert tf.strings.split(["  a b  c  "], maxsplit=1).to_list() == [[b"a", b"b  c  "]]
    ws = tf.strings.split(["a\tb\nc\x0bd\x0ce\rf\xa0g"]).to_list()
    assert ws == [[b"a", b"b", b"c", b"d", b"e", b"f\xc2\xa0g"]]
    assert tf.strings.split(["1<>2<><>3"], sep="<>").to_list() == [[b"1", b"2", b"", b"3"]]
    assert isinstance(tf.strings.split(["a"]), tf.RaggedTensor)


def test_regex_re2_semantics():
    x = tf.constant(["ab\n", "ab"])
    assert tf.strings.regex_replace(x, "b$", "X").numpy().tolist() == [b"ab\n", b"aX"]
    r = tf.strings.regex_full_match(["ab1", "a_b", "é"], r"[[:alpha:]]+\d?")
    assert r.numpy().tolist() == [True, False, False]
    # \d and \w are ASCII in RE2; '.' is one UTF-8 character.
    r = tf.strings.regex_full_match(["١", "1", "é", "e"], r"\d|\w")
    assert r.numpy().tolist() == [False, True, False, True]
    assert tf.strings.regex_replace(["héllo"], ".", "x").numpy().tolist() == [b"xxxxx"]
    # An invalid rewrite (group 3 of 2) leaves the input unchanged, as RE2::Replace fails.
    x = tf.constant(["a1", "b"])
    assert tf.strings.regex_replace(x, r"([a-z])(\d)", r"\3").numpy().tolist() == [b"a1", b"b"]
    assert tf.strings.regex_replace(["a.b"], r"\.", r"\\").numpy().tolist() == [b"a\\b"]
    assert tf.strings.regex_replace(["abc"], "", "-").numpy().tolist() == [b"-a-b-c-"]


def test_to_number_strtod_forms():
    got = tf.strings.to_number(["+5", "1.", ".5", "INF", "-Infinity", "0x1p3", "  -0 ", "1E2"])
    np.testing.assert_array_equal(got.numpy(), np.array([5, 1, 0.5, np.inf, -np.inf, 8, -0.0, 100],
                                                        np.float32))  # fmt: skip
    assert np.isnan(tf.strings.to_number(["NaN"]).numpy()[0])
    assert tf.strings.to_number(["3.4028236e38"]).numpy()[0] == np.inf  # overflows float32
    for bad in ["1e", "", " ", "1,5", "nanq", "٣", "0b1", "1d", "1.5f"]:
        with pytest.raises(InvalidArgumentError):
            tf.strings.to_number([bad])
    for bad in ["1e2", "0x10", "+-1", "1.0"]:
        with pytest.raises(InvalidArgumentError):
            tf.strings.to_number([bad], tf.int64)
    assert tf.strings.to_number(["007", "-0"], tf.int64).numpy().tolist() == [7, 0]


def test_as_string_flags_and_specials():
    f = tf.constant([1.5, -2.0, np.inf, np.nan, -np.nan])
    assert tf.strings.as_string(f, width=8, fill="+").numpy().tolist() == [
        b"+1.500000", b"-2.000000", b"    +inf", b"    +nan", b"    -nan"]  # fmt: skip
    assert tf.strings.as_string(f).numpy().tolist()[3:] == [b"nan", b"-nan"]
    # the 0 flag pads inf/nan with spaces, as C's printf
    got = tf.strings.as_string(f, width=6, fill="0").numpy().tolist()
    assert got == [b"1.500000", b"-2.000000", b"   inf", b"   nan", b"  -nan"]
    assert tf.strings.as_string([15, -2], width=5, fill="-").numpy().tolist() == [
        b"15   ",
        b"-2   ",
    ]
    assert tf.strings.as_string([1.5, -2.5], width=8, precision=1, shortest=True).numpy().tolist() \
        == [b"       2", b"      -2"]  # fmt: skip
    assert tf.as_string(tf.constant([True])).numpy().tolist() == [b"true"]
    assert tf.strings.as_string(3.5).numpy() == b"3.500000"


def test_format_values_like_tf_print():
    out = tf.strings.format("x={}", tf.reshape(tf.range(100), [10, 10])).numpy().decode()
    assert out.startswith("x=[[0 1 2 ... 7 8 9]\n [10 11 12 ... 17 18 19]\n")
    assert "\n ...\n" in out
    assert tf.strings.format("{} and {}", ["hi", 3]).numpy() == b'"hi" and 3'
    assert tf.strings.format("x=%s", [1], placeholder="%s").numpy() == b"x=1"
    f32 = tf.strings.format("{}", [tf.constant([0.1, 123456789.0, 1e20], tf.float32)])
    assert f32.numpy() == b"[0.1 123456792 1e+20]"


def test_unicode_decode_offsets_with_malformed_input():
    x = tf.constant([b"a\xe2\x82x\xc3\xa9\xff"])
    cps, offs = tf.strings.unicode_decode_with_offsets(x, "UTF-8", errors="ignore")
    assert cps.to_list() == [[97, 120, 233]] and offs.to_list() == [[0, 3, 4]]
    cps, offs = tf.strings.unicode_decode_with_offsets(["a😊".encode("utf-16-be")], "UTF-16-BE")
    assert cps.to_list() == [[97, 128522]] and offs.to_list() == [[0, 2]]
    # a real U+FFFD in the input is kept; only replacements take replacement_char
    r = tf.strings.unicode_decode([b"a\xef\xbf\xbdb\xff"], "UTF-8", replacement_char=63)
    assert r.to_list() == [[97, 65533, 98, 63]]
    r = tf.strings.unicode_decode(["\t\x7f\x85 "], "UTF-8", replace_control_characters=True)
    assert r.to_list() == [[65533, 127, 133, 32]]


def test_unicode_shapes():
    assert tf.strings.unicode_decode("abc", "UTF-8").numpy().tolist() == [97, 98, 99]
    r = tf.strings.unicode_decode([["ab", "c"], ["", "d"]], "UTF-8")
    assert r.to_list() == [[[97, 98], [99]], [[], [100]]]
    r = tf.strings.unicode_decode(tf.ragged.constant([["ab"], ["c", "d"]]), "UTF-8")
    assert r.to_list() == [[[97, 98]], [[99], [100]]]
    assert r.flat_values.dtype == tf.int32 and r.row_splits.dtype == tf.int64
    e = tf.strings.unicode_encode(tf.constant([[71, 246], [128522, 65]]), "UTF-8")
    assert e.shape == (2,) and e.numpy().tolist() == ["Gö".encode(), "😊A".encode()]
    assert tf.strings.unicode_encode([71, 246], "UTF-16-BE").numpy() == b"\x00G\x00\xf6"
    s = tf.strings.unicode_split([["ab"], ["cde"]], "UTF-8")
    assert s.to_list() == [[[b"a", b"b"]], [[b"c", b"d", b"e"]]]
    chars, offs = tf.strings.unicode_split_with_offsets(["aé", "x"], "UTF-8")
    assert chars.to_list() == [[b"a", "é".encode()], [b"x"]] and offs.to_list() == [[0, 1], [0]]
    b = tf.strings.bytes_split([["ab", ""], ["c", "de"]])
    assert b.to_list() == [[[b"a", b"b"], []], [[b"c"], [b"d", b"e"]]]


# -- ragged / sparse dispatch --------------------------------------------------------------------


def test_elementwise_ops_on_ragged_values():
    words = tf.ragged.constant([["So", "long"], ["thanks", "for", "all", "the", "fish"]])
    sub = tf.strings.substr(words, 0, 2)
    assert isinstance(sub, tf.RaggedTensor)
    assert sub.to_list() == [[b"So", b"lo"], [b"th", b"fo", b"al", b"th", b"fi"]]
    assert tf.strings.length(words).to_list() == [[2, 4], [6, 3, 3, 3, 4]]
    assert tf.strings.upper(words).to_list()[0] == [b"SO", b"LONG"]
    assert tf.strings.regex_replace(words, "[aeiou]", "").to_list()[0] == [b"S", b"lng"]
    assert tf.strings.regex_full_match(words, "f.*").to_list()[1][1] is True
    n = tf.strings.to_number(tf.ragged.constant([["1"], ["2", "3"]]), tf.int64)
    assert n.to_list() == [[1], [2, 3]] and n.dtype == tf.int64
    assert tf.strings.as_string(tf.ragged.constant([[1], [2, 3]])).to_list() == [
        [b"1"],
        [b"2", b"3"],
    ]
    split = tf.strings.split(tf.ragged.constant([["a b", "c"], []]))
    assert split.to_list() == [[[b"a", b"b"], [b"c"]], []]
    j = tf.strings.join([tf.ragged.constant([["a", "b"], ["c"]]), "x"], separator="-")
    assert j.to_list() == [[b"a-x", b"b-x"], [b"c-x"]]
    rj = tf.strings.reduce_join(tf.ragged.constant([["a", "b"], [], ["c"]]), axis=-1)
    assert rj.numpy().tolist() == [b"ab", b"", b"c"]


def test_elementwise_ops_on_sparse_values():
    st = tf.SparseTensor([[0, 1], [1, 0]], tf.constant(["ab", "cde"]), [2, 2])
    out = tf.strings.length(st)
    assert isinstance(out, tf.SparseTensor)
    assert out.values.numpy().tolist() == [2, 3]
    assert tf.strings.upper(st).values.numpy().tolist() == [b"AB", b"CDE"]


# -- graphs and raw ops ------------------------------------------------------------------------


def test_string_ops_trace_and_run_in_tf_function():
    @tf.function
    def f(x):
        up = tf.strings.upper(x)
        parts = tf.strings.split(x)
        num = tf.strings.to_number(tf.strings.regex_replace(x, "[^0-9]", ""), tf.int32)
        joined = tf.strings.reduce_join(x, separator="|")
        cps = tf.strings.unicode_decode(x, "UTF-8")
        text = tf.strings.format("{}", [x])
        lens = tf.strings.as_string(tf.strings.length(x))
        return up, parts, num, joined, cps, text, lens

    up, parts, num, joined, cps, text, lens = f(tf.constant(["a1 b2", "c3"]))
    assert up.numpy().tolist() == [b"A1 B2", b"C3"]
    assert parts.to_list() == [[b"a1", b"b2"], [b"c3"]]
    assert num.numpy().tolist() == [12, 3]
    assert joined.numpy() == b"a1 b2|c3"
    assert cps.to_list() == [[97, 49, 32, 98, 50], [99, 51]]
    assert text.numpy() == b'["a1 b2" "c3"]'
    assert lens.numpy().tolist() == [b"5", b"2"]
    ops = {op.type for op in f.get_concrete_function(tf.constant(["x"])).graph.get_operations()}
    assert {"StringUpper", "StringSplitV2", "StaticRegexReplace", "StringToNumber",
            "ReduceJoin", "UnicodeDecode", "StringFormat", "AsString"} <= ops  # fmt: skip


def test_unknown_lengths_in_tf_function():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def g(x):
        return (tf.strings.substr(x, 0, 1), tf.strings.bytes_split(x),
                tf.strings.unicode_split(x, "UTF-8"), tf.strings.ngrams(x, 2))  # fmt: skip

    sub, by, chars, grams = g(tf.constant(["ab", "é", "c"]))
    assert sub.numpy().tolist() == [b"a", b"\xc3", b"c"]
    assert by.to_list() == [[b"a", b"b"], [b"\xc3", b"\xa9"], [b"c"]]
    assert chars.to_list() == [[b"a", b"b"], ["é".encode()], [b"c"]]
    assert grams.numpy().tolist() == ["ab é".encode(), "é c".encode()]


def test_raw_ops_with_tf_keywords():
    r = tf.raw_ops.UnicodeDecode(input=["ab", "c"], input_encoding="UTF-8", Tsplits=tf.int32)
    assert r[0].dtype == tf.int32 and r[0].numpy().tolist() == [0, 2, 3]
    out = tf.raw_ops.StringFormat(inputs=[tf.constant(1), tf.constant("a")], template="{} {}",
                                  placeholder="{}")  # fmt: skip
    assert out.numpy() == b'1 "a"'
    assert tf.raw_ops.Substr(input=["abc"], pos=1, len=1).numpy().tolist() == [b"b"]
    r = tf.raw_ops.StaticRegexReplace(input=["abc"], pattern="b", rewrite="x")
    assert r.numpy().tolist() == [b"axc"]
    idx, vals, shape = tf.raw_ops.StringSplit(input=["a  b", "cd"], delimiter=" ", skip_empty=False)
    assert vals.numpy().tolist() == [b"a", b"", b"b", b"cd"] and shape.numpy().tolist() == [2, 3]


def test_lazy_namespace():
    assert "substr" in dir(tf.strings)
    assert tf.as_string is tf.strings.as_string
