"""`python -m arroyo.saved_model show` prints what TF's `saved_model_cli show` prints."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

pytest.importorskip("google.protobuf")

from arroyo.saved_model.__main__ import main  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "saved_models")
MLP = os.path.join(DATA, "mlp")

# TF 2.21's `saved_model_cli show --dir tests/data/saved_models/mlp --all` (its set of ops is
# printed in hash order; compared separately).
TF_ALL = """
MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:

signature_def['__saved_model_init_op']:
  The given SavedModel SignatureDef contains the following input(s):
  The given SavedModel SignatureDef contains the following output(s):
    outputs['__saved_model_init_op'] tensor_info:
        dtype: DT_INVALID
        shape: unknown_rank
        name: NoOp
  Method name is: TRAILING_SPACE

signature_def['serving_default']:
  The given SavedModel SignatureDef contains the following input(s):
    inputs['features'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 4)
        name: serving_default_features:0
  The given SavedModel SignatureDef contains the following output(s):
    outputs['output_0'] tensor_info:
        dtype: DT_FLOAT
        shape: (-1, 3)
        name: StatefulPartitionedCall:0
  Method name is: tensorflow/serving/predict
OPS

Concrete Functions:
  Function Name: '__call__'
    Option #1
      Callable with:
        Argument #1
          features: TensorSpec(shape=(None, 4), dtype=tf.float32, name='features')
""".replace("TRAILING_SPACE", "")

TF_OPS = {
    "Softmax",
    "Const",
    "SaveV2",
    "Relu",
    "ReadVariableOp",
    "Select",
    "StatefulPartitionedCall",
    "NoOp",
    "MatMul",
    "Placeholder",
    "RestoreV2",
    "StaticRegexFullMatch",
    "DisableCopyOnRead",
    "Pack",
    "AddV2",
    "ShardedFilename",
    "MergeV2Checkpoints",
    "StringJoin",
    "AssignVariableOp",
    "VarHandleOp",
    "Identity",
}


def _run(*argv):
    out = io.StringIO()
    rc = main(list(argv), out)
    return rc, out.getvalue()


def test_show_all_matches_saved_model_cli():
    rc, text = _run("show", "--dir", MLP, "--all")
    assert rc == 0
    lines = text.split("\n")
    (ops_line,) = [ln for ln in lines if "contains the following ops" in ln]
    assert ops_line.startswith("The MetaGraph with tag set ['serve'] contains the following ops: {")
    assert set(eval(ops_line.split(": ", 1)[1])) == TF_OPS  # noqa: S307 - a set literal we printed
    assert text.replace(ops_line, "OPS") == TF_ALL


def test_show_tag_sets_signature_keys_and_one_signature():
    assert _run("show", "--dir", MLP) == (
        0,
        "The given SavedModel contains the following tag-sets:\n'serve'\n",
    )
    assert _run("show", "--dir", MLP, "--tag_set", "serve") == (
        0,
        (
            "The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:\n"
            'SignatureDef key: "__saved_model_init_op"\n'
            'SignatureDef key: "serving_default"\n'
        ),
    )
    assert _run(
        "show", "--dir", MLP, "--tag_set", "serve", "--signature_def", "serving_default"
    ) == (
        0,
        (
            "The given SavedModel SignatureDef contains the following input(s):\n"
            "  inputs['features'] tensor_info:\n"
            "      dtype: DT_FLOAT\n"
            "      shape: (-1, 4)\n"
            "      name: serving_default_features:0\n"
            "The given SavedModel SignatureDef contains the following output(s):\n"
            "  outputs['output_0'] tensor_info:\n"
            "      dtype: DT_FLOAT\n"
            "      shape: (-1, 3)\n"
            "      name: StatefulPartitionedCall:0\n"
            "Method name is: tensorflow/serving/predict\n"
        ),
    )


def test_python_arguments_are_listed():
    rc, text = _run("show", "--dir", os.path.join(DATA, "features"), "--all")
    assert rc == 0
    assert "  Function Name: 'apply'\n" in text
    assert "          DType: int\n          Value: 3\n" in text
    assert (
        "  Function Name: 'bump'\n\n  Function Name: 'lookup'" in text
    )  # no arguments: no options
    assert "          ids: TensorSpec(shape=(None,), dtype=tf.int32, name='ids')\n" in text


def test_errors(capsys):
    assert _run("show", "--dir", MLP, "--tag_set", "serve", "--signature_def", "nope")[0] == 1
    err = capsys.readouterr().err
    assert 'ValueError: Could not find signature "nope". Please choose from: ' in err
    assert "serving_default" in err and "__saved_model_init_op" in err
    assert _run("show", "--dir", MLP, "--tag_set", "train")[0] == 1
    assert (
        "MetaGraphDef associated with tag-set train could not be found in the SavedModel. Please use "
        "one of the following tag-sets: ['serve']" in capsys.readouterr().err
    )
    assert _run("show", "--dir", os.path.join(DATA, "missing"))[0] == 1
    assert "SavedModel file does not exist at:" in capsys.readouterr().err


def test_arroyo_written_model(tmp_path):
    import arroyo as tf

    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([1.0, 2.0])

        @tf.function(input_signature=[tf.TensorSpec([2], tf.float32, name="inp")])
        def __call__(self, x):
            return {"scaled": x * self.v}

    tf.saved_model.save(M(), str(tmp_path / "m"))
    rc, text = _run("show", "--dir", str(tmp_path / "m"), "--tag_set", "serve", "--signature_def",
                    "serving_default")  # fmt: skip
    assert rc == 0
    assert (
        "  inputs['inp'] tensor_info:\n      dtype: DT_FLOAT\n      shape: (2)\n      name: serving_default_inp:0\n"
        in text
    )
    assert (
        "  outputs['scaled'] tensor_info:\n      dtype: DT_FLOAT\n      shape: (2)\n      name: StatefulPartitionedCall:0\n"
        in text
    )


def test_module_entry_point():
    res = subprocess.run([sys.executable, "-m", "arroyo.saved_model", "show", "--dir", MLP], capture_output=True,
                         text=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout == "The given SavedModel contains the following tag-sets:\n'serve'\n"
