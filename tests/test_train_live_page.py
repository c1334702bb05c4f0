"""The Train live page under AppTest: start, steer, stop, save; validation messages; the queue as a visitor sees it.
The fragment's timer does not tick under AppTest: each `app.run()` stands for one refresh."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from ae_models.live import pool as pool_module
from ae_models.live.records import BATCH_RANGE, BETA_RANGE, EPOCH_RANGE, FASHION_SUBSET_RANGE, LEARNING_RATE_RANGE
from dashboard.resources import training_pool

from .app_support import assert_clean, charts, images, open_page, trace_names

PAGE = "views/train_live.py"
START = "FormSubmitter:live_settings-Start"


def start(app: AppTest, epochs: int, beta: float = 1.0, warmup: int = 0) -> AppTest:
    app.selectbox(key="live_dataset").set_value("digits").run()  # which offers its own default epochs
    app.number_input(key="live_epochs").set_value(epochs)
    app.number_input(key="live_warmup").set_value(warmup)
    app.number_input(key="live_batch").set_value(128)
    app.number_input(key="live_beta").set_value(beta)
    return app.button(key=START).click().run()


def refresh_until(app: AppTest, condition, timeout: float = 90.0) -> AppTest:
    deadline = time.monotonic() + timeout
    while not condition(app):
        assert time.monotonic() < deadline, [p.proto.text for p in app.get("progress")]
        time.sleep(0.2)
        app.run()
    return app


def epochs_shown(app: AppTest) -> int:
    curves = next(c for c in charts(app) if "Losses per epoch" in c["layout"]["title"]["text"])
    return len(curves["data"][0]["x"]["data"] if isinstance(curves["data"][0]["x"], dict) else curves["data"][0]["x"])


def test_a_run_shows_curves_map_and_pictures_then_saves_for_the_other_pages() -> None:
    app = start(open_page(PAGE), epochs=3)
    assert_clean(app)
    refresh_until(app, lambda a: a.success)
    assert app.success[0].value == "The run completed all 3 epochs."
    assert [p.proto.text for p in app.get("progress")] == ["Finished: 3 of 3 epochs trained"]  # no time left
    titles = [c["layout"]["title"]["text"] for c in charts(app)]
    assert titles[0].startswith("Losses per epoch") and titles[1] == "Held-out codes after epoch 3"
    assert len(images(app)) == 4  # originals, reconstructions, two rows of prior decodes
    assert any("180 held-out images" in c.value for c in app.caption)
    assert "live_compare" not in [t.key for t in app.toggle]  # no digits model is shipped
    app.button(key="live_save").click().run()
    assert_clean(app)
    assert "its settings keep the β and learning rate the run started with" in app.info[-1].value.lower()
    assert app.sidebar.selectbox(key="group").value == ("digits", 2)
    assert "saved as trained live:live_digits_vae_z2_3ep" in app.info[-1].value.lower()
    assert app.sidebar.selectbox(key="vae-digits-2").value == "trained live:live_digits_vae_z2_3ep"
    app.switch_page("views/latent_map.py").run()
    assert_clean(app)
    assert app.session_state["selection"].vae.name == "trained live:live_digits_vae_z2_3ep"
    assert app.title[0].value == "Latent map"


def test_before_start_the_curves_axes_are_drawn_and_start_draws_epoch_one_in_its_own_run(monkeypatch) -> None:
    """The page draws a chart before Start (so the browser has its charting code loaded when epoch 1 comes), and the
    run that pressed Start waits for epoch 1 and draws it, without waiting for the fragment's next refresh."""
    app = open_page(PAGE)
    [preview] = charts(app)
    assert preview["layout"]["title"]["text"] == "Losses per epoch"  # short enough for a phone's width
    # no numbers on axes that hold nothing yet, only where the curves will come
    assert all(preview["layout"][axis]["showticklabels"] is False for axis in ("xaxis", "xaxis2", "yaxis", "yaxis2"))
    notes = [a["text"] for a in preview["layout"]["annotations"]]
    assert notes.count("from epoch 1 on") == 2
    # the axes stand in a narrow column: each subplot's title puts its unit on a second line so it is not cut off
    assert {"Reconstruction<br>(nats/image)", "KL<br>(nats/image)"} <= set(notes)
    monkeypatch.setattr(pool_module, "FIRST_EPOCH_WAIT_SECONDS", 120.0)  # a busy machine's waiting worker is slow
    start(app, epochs=300)
    assert_clean(app)
    titles = [c["layout"]["title"]["text"] for c in charts(app)]
    assert titles[0] == "Losses per epoch" and titles[1].startswith("Held-out codes after epoch")
    app.session_state["live_owner"].forget()


def test_the_curves_can_be_compared_with_the_shipped_model_of_the_same_dataset_kind_and_latent_size() -> None:
    app = open_page(PAGE)
    app.number_input(key="live_epochs").set_value(1)
    app.number_input(key="live_batch").set_value(256)
    app.button(key=START).click().run()  # the default: a VAE with latent 2 on mnist-5k
    refresh_until(app, lambda a: a.success)
    assert not [t for t in trace_names(app) if t and "mnist_vae_z2" in t]
    app.toggle(key="live_compare").set_value(True).run()
    assert_clean(app)
    assert "mnist_vae_z2 (validation)" in trace_names(app)
    assert any(c.value.startswith("Grey: the shipped mnist_vae_z2 (VAE, conv") for c in app.caption)


def test_bad_settings_get_a_message_and_start_nothing() -> None:
    app = start(open_page(PAGE), epochs=3, warmup=10)
    assert [e.value for e in app.error] == ["Cannot start: the KL warm-up must lie between 0 and 3, got 10."]
    assert not app.get("progress") and not app.exception


def bounds(app: AppTest, key: str) -> tuple[float, float]:
    box = app.number_input(key=key).proto
    return box.min, box.max


def test_every_number_box_keeps_to_the_range_the_settings_allow() -> None:
    app = open_page(PAGE)
    app.selectbox(key="live_dataset").set_value("fashion-mnist").run()
    assert bounds(app, "live_fashion") == FASHION_SUBSET_RANGE
    assert bounds(app, "live_beta") == BETA_RANGE and bounds(app, "live_lr") == LEARNING_RATE_RANGE
    assert bounds(app, "live_batch") == BATCH_RANGE and bounds(app, "live_epochs") == EPOCH_RANGE
    assert bounds(app, "live_warmup") == (0, EPOCH_RANGE[1])
    start(app, epochs=400)
    assert bounds(app, "live_new_beta") == BETA_RANGE and bounds(app, "live_new_lr") == LEARNING_RATE_RANGE
    app.session_state["live_owner"].forget()


def test_the_digits_are_offered_enough_epochs_to_steer_while_they_train() -> None:
    app = open_page(PAGE)
    assert app.number_input(key="live_epochs").value == 30
    app.selectbox(key="live_dataset").set_value("digits").run()
    assert app.number_input(key="live_epochs").value == EPOCH_RANGE[1]  # 150 ended in about 20 s
    app.selectbox(key="live_dataset").set_value("mnist-5k").run()
    assert app.number_input(key="live_epochs").value == 30


def test_a_second_visitor_waits_in_the_queue_and_the_first_can_steer_and_stop() -> None:
    pool = training_pool()
    limit, pool.limit = pool.limit, 1
    deadline = time.monotonic() + 30
    while pool.active or pool.waiting:  # an earlier test's worker may still be exiting
        assert time.monotonic() < deadline
        time.sleep(0.1)
    try:
        first = start(open_page(PAGE), epochs=400)
        second = start(open_page(PAGE), epochs=3)
        assert "you are number 1 in the queue" in second.info[0].value
        refresh_until(first, lambda a: a.get("plotly_chart"))
        first.number_input(key="live_new_beta").set_value(4.0)
        first.button(key="live_apply").click().run()
        assert "From the next epoch: β 4" in first.toast[0].value
        refresh_until(first, lambda a: any(c.value.startswith("Dashed lines: your changes") for c in a.caption))
        first.button(key="live_stop").click().run()
        refresh_until(first, lambda a: a.info and a.info[0].value.startswith("The run stopped after epoch"))
        assert [p.proto.text for p in first.get("progress")] == [
            f"Stopped: {len(first.session_state['live_owner'].current.snapshots)} of 400 epochs trained"
        ]
        refresh_until(second, lambda a: a.success)  # the freed slot went to the queued run
    finally:
        pool.limit = limit


def test_the_image_count_field_shows_only_for_fashion_mnist_and_enter_does_not_start_a_run() -> None:
    app = open_page(PAGE)
    assert [f.proto.form.enter_to_submit for f in app.get("form")] == [False]  # only the Start button starts
    assert "live_fashion" not in [n.key for n in app.number_input]  # mnist-5k is the default
    assert len(app.get("form")[0].columns) == 2 + 3  # no empty column where the image count would be
    app.selectbox(key="live_dataset").set_value("fashion-mnist").run()
    assert [n.label for n in app.number_input if n.key == "live_fashion"] == ["Fashion-MNIST images to train on"]
    assert len(app.get("form")[0].columns) == 3 + 3
    app.selectbox(key="live_dataset").set_value("digits").run()
    assert "live_fashion" not in [n.key for n in app.number_input]
