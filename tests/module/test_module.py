"""tf.Module tracking order, names and name scopes (values checked against TF 2.21)."""

import pytest

import arroyo as tf


class SimpleModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.a_variable = tf.Variable(5.0, name="train_me")
        self.non_trainable_variable = tf.Variable(5.0, trainable=False, name="do_not_train_me")

    def __call__(self, x):
        return self.a_variable * x + self.non_trainable_variable


class MyMod(tf.Module):
    def __init__(self):
        super().__init__()
        with self.name_scope:
            self.v = tf.Variable(1.0, name="v")
        self.l = [tf.Variable(2.0, name="x"), {"k": tf.Variable(3.0, name="y")}]

    @tf.Module.with_name_scope
    def __call__(self, x):
        if not hasattr(self, "w"):
            self.w = tf.Variable(1.0, name="w")
        return x


def test_variables_trainable_and_names():
    m = SimpleModule(name="simple")
    assert float(m(tf.constant(5.0))) == 30.0
    assert isinstance(m.variables, tuple)
    assert [v.name for v in m.trainable_variables] == ["train_me:0"]
    assert [v.name for v in m.variables] == ["train_me:0", "do_not_train_me:0"]
    assert [v.name for v in m.non_trainable_variables] == ["do_not_train_me:0"]
    assert m.name == "simple"


def test_order_names_and_scopes_match_tf():
    m = MyMod()
    m(1.0)
    assert m.name == "my_mod" and m.name_scope.name == "my_mod/"
    assert [v.name for v in m.variables] == ["x:0", "y:0", "my_mod/v:0", "my_mod/w:0"]


def test_submodules_after_own_variables():
    class Outer(tf.Module):
        def __init__(self):
            super().__init__(name="outer")
            self.z = MyMod()
            self.a = tf.Variable(0.0, name="a")
            self.mods = [MyMod()]

    o = Outer()
    assert [v.name for v in o.variables] == [
        "a:0",
        "x:0",
        "y:0",
        "my_mod/v:0",
        "x:0",
        "y:0",
        "my_mod/v:0",
    ]
    assert o.submodules == (o.mods[0], o.z)


def test_invalid_name():
    with pytest.raises(ValueError, match="not a valid module name"):
        tf.Module(name="bad name")
    assert tf.Module().name == "module"


def test_name_scope_nesting():
    with tf.name_scope("foo") as scope:
        assert scope == "foo/"
        a = tf.Variable(1.0)
        with tf.name_scope("bar"):
            c = tf.Variable(1.0, name="c")
    assert a.name == "foo/Variable:0" and c.name == "foo/bar/c:0"
    assert tf.Variable(1.0, name="d").name == "d:0"


def test_deferred_variables_and_tf_function_call():
    class Flex(tf.Module):
        def __init__(self, out):
            super().__init__()
            self.out = out
            self.built = False

        @tf.function
        def __call__(self, x):
            if not self.built:
                self.w = tf.Variable(tf.ones([x.shape[-1], self.out]), name="w")
                self.built = True
            return tf.matmul(x, self.w)

    f = Flex(2)
    assert len(f.variables) == 0
    assert f(tf.constant([[1.0, 2.0, 3.0]])).numpy().tolist() == [[6.0, 6.0]]
    assert [tuple(v.shape) for v in f.variables] == [(3, 2)]
