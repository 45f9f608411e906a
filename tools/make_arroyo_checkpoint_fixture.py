"""Writes checkpoints with arroyo for tools/check_arroyo_checkpoint_in_tf.py to verify in TF."""

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main(directory):
    import arroyo as tf
    from tests.train.ckpt_models import SIZES, X, make_classes

    _, SmallModule, MLP = make_classes(tf)
    mlp = MLP(SIZES, seed=7)
    mlp.step.assign(42)
    manager = tf.train.CheckpointManager(
        tf.train.Checkpoint(model=mlp), os.path.join(directory, "mlp"), max_to_keep=2
    )
    manager.save()
    manager.save()
    small = SmallModule()
    small.scale.assign(-1.25)
    small.words.assign(["arroyo", "wrote this"])
    tf.train.Checkpoint(model=small).write(os.path.join(directory, "small", "ckpt"))
    np.savez(
        os.path.join(directory, "arroyo_expected.npz"),
        y=mlp(tf.constant(X)).numpy(),
        step=42,
        words=np.array(["arroyo", "wrote this"]),
        table=small.table.numpy(),
        scale=-1.25,
    )
    print("wrote", directory)


if __name__ == "__main__":
    main(sys.argv[1])
