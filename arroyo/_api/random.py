"""`tf.random`: assembled from the op modules' TF_API declarations."""

from arroyo._api._build import populate

populate(globals(), "tf.random")
