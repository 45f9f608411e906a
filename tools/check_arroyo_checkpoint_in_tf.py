"""Restores checkpoints written by arroyo in real TensorFlow and compares the values.

    python tools/make_arroyo_checkpoint_fixture.py OUT      # with arroyo
    /root/tfvenv/bin/python tools/check_arroyo_checkpoint_in_tf.py OUT   # with TF

Exits non-zero (and says why) if TF cannot restore arroyo's checkpoint exactly.
"""

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(directory):
    import tensorflow as tf

    from tests.train.ckpt_models import SIZES, X, make_classes

    _, SmallModule, MLP = make_classes(tf)
    expected = np.load(os.path.join(directory, "arroyo_expected.npz"), allow_pickle=True)
    mlp = MLP(SIZES, seed=123)  # different initial values: restore must overwrite them
    status = tf.train.Checkpoint(model=mlp).restore(
        tf.train.latest_checkpoint(os.path.join(directory, "mlp"))
    )
    status.assert_consumed()
    np.testing.assert_allclose(mlp(tf.constant(X)).numpy(), expected["y"], rtol=1e-6)
    assert int(mlp.step.numpy()) == int(expected["step"])
    small = SmallModule()
    # A write()-made checkpoint has no save_counter, which TF's restore creates: TF itself
    # then reports that one object as unmatched, so check the values instead.
    tf.train.Checkpoint(model=small).restore(
        os.path.join(directory, "small", "ckpt")
    ).assert_nontrivial_match()
    assert small.words.numpy().tolist() == [w.encode() for w in expected["words"]]
    np.testing.assert_array_equal(small.table.numpy(), expected["table"])
    assert float(small.scale.numpy()) == float(expected["scale"])
    print("OK: TensorFlow", tf.__version__, "restored arroyo's checkpoints with identical values")


if __name__ == "__main__":
    main(sys.argv[1])
