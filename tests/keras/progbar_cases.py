"""The fits whose printed progress is compared with TensorFlow's (shared by
tools/make_keras_rnn_fixtures.py, which runs them under TF 2.21, and test_progbar.py, which
runs them under arroyo). `tf` is whichever module stands in for tensorflow."""

from __future__ import annotations


def progbar_cases(tf, np):
    """name -> function running fits/evaluates/predicts that print progress."""
    L = tf.keras.layers
    x = np.linspace(-1, 1, 200).reshape(100, 2).astype("float32")
    y = (x[:, :1] > 0).astype("float32")

    def dense_model(metrics):
        m = tf.keras.Sequential(
            [tf.keras.Input((2,)), L.Dense(1, activation="sigmoid", kernel_initializer="ones")]
        )
        m.compile(tf.keras.optimizers.SGD(0.1), "binary_crossentropy", metrics=metrics)
        return m

    cases = {}

    def fit_case(name, verbose, **kw):
        def run():
            m = dense_model(["accuracy"])
            m.fit(x, y, batch_size=16, epochs=2, verbose=verbose, shuffle=False, **kw)
            m.evaluate(x, y, batch_size=32, verbose=verbose)
            m.predict(x, batch_size=50, verbose=verbose)

        cases[name] = run

    fit_case("fit_v1_val", 1, validation_split=0.2)
    fit_case("fit_v2_val", 2, validation_split=0.2)
    fit_case("fit_v1", 1)
    fit_case("fit_v2", 2)

    def one_epoch_two_aucs():
        m = dense_model(["mse", tf.keras.metrics.AUC(), tf.keras.metrics.AUC()])
        m.fit(x, y, batch_size=32, epochs=1, verbose=1, shuffle=False)

    cases["one_epoch_aucs"] = one_epoch_two_aucs

    def unknown_steps():
        ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(25).filter(lambda a, b: True)
        m = dense_model(["accuracy"])
        m.fit(ds, epochs=2, verbose=1)

    cases["dataset_unknown_steps"] = unknown_steps

    def lstm_fit():
        # small constant weights keep the gates unsaturated (float rounding stays far below
        # the 4 printed decimals)
        xs = np.sin(np.linspace(0, 6, 8 * 5 * 2)).reshape(8, 5, 2).astype("float32")
        ys = xs[:, -1, :1]
        init = tf.keras.initializers.Constant
        m = tf.keras.Sequential([
            tf.keras.Input((5, 2)),
            L.LSTM(3, kernel_initializer=init(0.1), recurrent_initializer=init(-0.05)),
            L.Dense(1, kernel_initializer=init(0.3)),
        ])  # fmt: skip
        m.compile(tf.keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
        m.fit(
            xs,
            ys,
            batch_size=4,
            epochs=2,
            verbose=2,
            validation_data=(xs[:4], ys[:4]),
            shuffle=False,
        )
        m.evaluate(xs, ys, verbose=1)

    cases["lstm_v2"] = lstm_fit
    return cases
