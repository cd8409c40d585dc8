"""Options of the tunnel-service mode: validated, errors name the option; the spawner picks the forward."""
import pytest
from traitlets import TraitError

from outpostspawner.forward import ServerForward
from outpostspawner.tunnel_service import TunnelServiceError, TunnelServiceForward


@pytest.mark.parametrize("url", ["ftp://x", "http://", "tunnels:8089", "http://h:1/?a=b", "http://h#x"])
def test_bad_tunnel_service_url_is_refused_naming_the_option(make_spawner, url):
    with pytest.raises(TraitError, match="tunnel_service_url"):
        make_spawner("a", tunnel_service_url=url)


@pytest.mark.parametrize("selector", [{}, {"app": ""}, {"": "x"}])
def test_bad_tunnel_service_selector_is_refused(make_spawner, selector):
    with pytest.raises(TraitError, match="tunnel_service_selector"):
        make_spawner("a", tunnel_service_selector=selector)


def test_without_a_url_the_hub_runs_ssh_itself(make_spawner):
    sp = make_spawner("a")
    assert type(sp.forward) is ServerForward


def test_the_url_needs_a_token_file(make_spawner):
    sp = make_spawner("a", tunnel_service_url="http://127.0.0.1:8089/")
    with pytest.raises(ValueError, match="tunnel_service_token_file"):
        sp.forward


async def test_the_tunnel_service_forward_names_an_unreadable_token_file(make_spawner, tmp_path):
    sp = make_spawner("a", tunnel_service_url="http://127.0.0.1:8089/",
                      tunnel_service_token_file=str(tmp_path / "missing"))
    forward = sp.forward
    assert isinstance(forward, TunnelServiceForward)
    assert sp.tunnel_service_url == "http://127.0.0.1:8089"
    assert forward.connect_host() == "127.0.0.1"
    assert forward.server_id().startswith("alice-a-")
    with pytest.raises(TunnelServiceError, match="tunnel_service_token_file"):
        forward._token()
