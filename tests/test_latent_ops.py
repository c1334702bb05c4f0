import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ae_models.latent_ops import (
    fitted_gaussian_codes,
    interpolate,
    manifold_grid,
    mean_code,
    nearest_neighbours,
    place_on_map,
    prior_codes,
    sigma_ellipses,
)
from ae_models.library import load_library_model
from ae_models.samples import load_sample, sample_path

from .conftest import WEIGHTS_DIR


@pytest.mark.parametrize("method", ["linear", "spherical"])
def test_interpolation_runs_from_start_to_end(method: str) -> None:
    start, end = torch.tensor([1.0, 0.0, 2.0]), torch.tensor([0.0, 3.0, -1.0])
    path = interpolate(start, end, 7, method)
    assert path.shape == (7, 3)
    torch.testing.assert_close(path[0], start)
    torch.testing.assert_close(path[-1], end)


def test_linear_is_evenly_spaced_and_slerp_keeps_the_norm() -> None:
    start, end = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])
    steps = interpolate(start, end, 5, "linear").diff(dim=0).norm(dim=1)
    torch.testing.assert_close(steps, torch.full((4,), steps[0].item()))
    norms = interpolate(start, end, 5, "spherical").norm(dim=1)
    torch.testing.assert_close(norms, torch.full((5,), 3.0))
    assert interpolate(start, end, 5, "linear")[2].norm() < 3.0


finite = st.floats(-50.0, 50.0, allow_nan=False, width=32)


@st.composite
def code_pairs(draw: st.DrawFn) -> tuple[torch.Tensor, torch.Tensor]:
    """Two codes of one size, often pointing in nearly opposite directions or differing a lot in length."""
    size = draw(st.integers(2, 16))
    start = torch.tensor(draw(st.lists(finite, min_size=size, max_size=size)))
    shape = draw(st.sampled_from(["free", "opposite", "scaled"]))
    if shape == "free":
        return start, torch.tensor(draw(st.lists(finite, min_size=size, max_size=size)))
    factor = draw(st.floats(0.01, 20.0))
    return start, start * (-factor if shape == "opposite" else factor)


@settings(max_examples=300, deadline=None)
@given(code_pairs(), st.integers(2, 30))
def test_spherical_path_keeps_every_norm_between_the_endpoints(pair: tuple, steps: int) -> None:
    start, end = pair
    path = interpolate(start, end, steps, "spherical")
    assert torch.equal(path[0], start) and torch.equal(path[-1], end)
    norms = path.double().norm(dim=1)
    low, high = sorted((start.double().norm().item(), end.double().norm().item()))
    assert bool((norms >= low - 1e-5).all()) and bool((norms <= high + 1e-5).all()), (norms, low, high)


def test_spherical_between_opposite_codes_turns_through_a_perpendicular() -> None:
    path = interpolate(torch.tensor([2.0, 0.0, 0.0]), torch.tensor([-4.0, 0.0, 0.0]), 3, "spherical")
    torch.testing.assert_close(path[1].norm(), torch.tensor(3.0))
    assert path[1, 0].abs() < 1e-6  # halfway round, not through the origin
    with pytest.raises(ValueError, match="1-D"):
        interpolate(torch.tensor([1.0]), torch.tensor([-1.0]), 3, "spherical")


@pytest.mark.parametrize("name", ["mnist_ae_z2", "mnist_vae_z2"])
def test_spherical_paths_between_shipped_class_examples_stay_inside_the_codes(name: str) -> None:
    """The regression the issue found: MNIST latent 2, class 0 to 7, reached norm ~20 with codes up to 5.7."""
    model = load_library_model(WEIGHTS_DIR / f"{name}.safetensors").network
    sample = load_sample(sample_path(WEIGHTS_DIR, "mnist-5k"))
    codes = model.encode(sample.images.images[sample.example_rows()]).mean
    for i, j in itertools.combinations(range(len(codes)), 2):
        norms = interpolate(codes[i], codes[j], 10, "spherical").norm(dim=1)
        assert norms.max() <= max(codes[i].norm(), codes[j].norm()) + 1e-5, (i, j, norms.max())


def test_interpolation_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        interpolate(torch.zeros(2), torch.ones(2), 1)
    with pytest.raises(ValueError):
        interpolate(torch.zeros(2), torch.ones(2), 3, "cubic")


def test_nearest_neighbours_skip_the_query_itself() -> None:
    codes = torch.tensor([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [0.0, 2.0]])
    indices, distances = nearest_neighbours(codes, codes[0], k=2, exclude=0)
    assert indices.tolist() == [1, 3] and distances.tolist() == [1.0, 2.0]


def test_prior_samples_follow_seed_and_temperature() -> None:
    a, b = prior_codes(1000, 4, seed=3), prior_codes(1000, 4, seed=3)
    assert torch.equal(a, b) and not torch.equal(a, prior_codes(1000, 4, seed=4))
    torch.testing.assert_close(prior_codes(1000, 4, seed=3, temperature=0.5), 0.5 * a)
    assert abs(a.std().item() - 1) < 0.05


def test_fitted_gaussian_matches_the_codes_it_was_fitted_to() -> None:
    generator = torch.Generator().manual_seed(0)
    codes = torch.randn(5000, 2, generator=generator) * torch.tensor([3.0, 0.5]) + torch.tensor([10.0, -2.0])
    draws = fitted_gaussian_codes(codes, 5000, seed=1)
    torch.testing.assert_close(draws.mean(0), torch.tensor([10.0, -2.0]), atol=0.15, rtol=0)
    torch.testing.assert_close(draws.std(0), torch.tensor([3.0, 0.5]), atol=0.1, rtol=0)


def test_manifold_grid_starts_top_left() -> None:
    grid = manifold_grid(3, 2.0)
    assert grid[0].tolist() == [-2.0, 2.0] and grid[2].tolist() == [2.0, 2.0] and grid[-1].tolist() == [2.0, -2.0]


def test_sigma_ellipse_has_the_sigmas_as_radii() -> None:
    outlines = sigma_ellipses(torch.tensor([[1.0, 1.0], [0.0, 0.0]]), torch.tensor([[2.0, 0.5], [1.0, 1.0]]))
    assert outlines.shape == (2, 32, 2)
    assert outlines[0, :, 0].max().item() == pytest.approx(3.0, abs=1e-5)
    assert outlines[0, :, 1].max().item() == pytest.approx(1.5, abs=1e-2)
    torch.testing.assert_close(outlines[1].norm(dim=1), torch.ones(32))


def test_place_on_map_is_identity_in_two_dims_and_local_otherwise() -> None:
    codes2 = torch.randn(50, 2)
    new = torch.randn(4, 2)
    assert torch.equal(place_on_map(new, codes2, codes2.clone()), new)
    codes = torch.randn(200, 8)
    coords = torch.randn(200, 2)
    placed = place_on_map(codes[:5] + 1e-9, codes, coords)
    torch.testing.assert_close(placed, coords[:5], atol=1e-3, rtol=0)


def test_the_mean_code_of_a_selection_is_the_average_of_exactly_its_rows() -> None:
    """One rule for the sample's codes and a full map's (the page's gallery decodes it for each model)."""
    codes = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    assert mean_code(codes, [5, 1, 3]).tolist() == [6.0, 7.0]  # (10 + 2 + 6) / 3, (11 + 3 + 7) / 3
    assert mean_code(codes, torch.tensor([5, 5, 0])).tolist() == pytest.approx([20 / 3, 23 / 3])  # twice counts twice
    with pytest.raises(ValueError, match="at least one point"):
        mean_code(codes, [])
