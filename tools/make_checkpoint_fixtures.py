"""Writes TF-made checkpoints into tests/data/checkpoints/ (run under real TensorFlow).

    /root/tfvenv/bin/python tools/make_checkpoint_fixtures.py

tf_small/ckpt     a tf.Module with float, int64, string and bool variables
tf_mlp/ckpt-1     an MLP module (list of Dense sub-modules), saved with Checkpoint.save,
                  and tf_mlp/expected.npz with the model's output on tests' X
"""

import os
import shutil
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main():
    import tensorflow as tf

    from tests.train.ckpt_models import SIZES, X, make_classes

    _, SmallModule, MLP = make_classes(tf)
    out = os.path.join(ROOT, "tests", "data", "checkpoints")
    for d in ("tf_small", "tf_mlp"):
        shutil.rmtree(os.path.join(out, d), ignore_errors=True)
    tf.train.Checkpoint(model=SmallModule()).write(os.path.join(out, "tf_small", "ckpt"))
    mlp = MLP(SIZES)
    path = tf.train.Checkpoint(model=mlp).save(os.path.join(out, "tf_mlp", "ckpt"))
    np.savez(os.path.join(out, "tf_mlp", "expected.npz"), y=mlp(tf.constant(X)).numpy())
    print("wrote", path)


if __name__ == "__main__":
    main()
