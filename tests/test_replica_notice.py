"""A visitor whose session was lost (its replica died, the server restarted) is told so, and told plainly to upload
again a model whose upload went with the session; the view itself comes back from the link (test_url_state)."""

from __future__ import annotations

from dashboard import replica
from dashboard.untrusted import literal
from tests.app_support import notices, open_link


def test_a_session_that_comes_from_another_server_process_is_told_it_moved() -> None:
    app = open_link({"server": "0ther5e1", "group": "fashion-mnist.z2"})
    assert replica.MOVED in notices(app)
    assert app.sidebar.selectbox(key="group").value == ("fashion-mnist", 2)  # and its view is back
    assert app.query_params["server"] == replica.SERVER_ID
    app.switch_page("views/sampling.py").run()
    assert replica.MOVED not in notices(app), "told again on a later run"


def test_a_reload_on_the_same_server_or_a_first_visit_is_not_called_a_move() -> None:
    for query in ({"server": replica.SERVER_ID}, {}):
        app = open_link(query)
        assert replica.MOVED not in notices(app), query
        assert app.query_params["server"] == replica.SERVER_ID


def test_a_link_naming_an_upload_this_session_lacks_says_to_upload_it_again() -> None:
    app = open_link({"server": "0ther5e1", "group": "mnist-5k.z2", "vae": "upload:my_vae"})
    assert any(f"{literal('upload:my_vae')} was uploaded in an earlier session" in e.value for e in app.sidebar.error)
    assert any("upload the file again" in e.value for e in app.sidebar.error)
    assert app.sidebar.selectbox(key="vae-mnist-5k-2").value == "mnist_vae_z2"  # the shipped model meanwhile


def test_a_link_naming_a_live_run_this_session_lacks_says_so_too() -> None:
    app = open_link({"server": "0ther5e1", "group": "mnist-5k.z2", "vae": "trained live:live_mnist-5k_vae_z2_30ep"})
    name = literal("trained live:live_mnist-5k_vae_z2_30ep")
    assert any(f"{name} was trained live in an earlier session" in e.value for e in app.sidebar.error)
