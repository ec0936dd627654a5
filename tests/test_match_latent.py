"""The latent term vectors of the statistical matcher (checker.match.latent,
reference/latent.npz built by bench/build_latent.py): shipped with the package,
small, learned without the blind seeds, and giving paraphrases that share no word a
similarity that unrelated texts do not get."""
from __future__ import annotations

import numpy as np

from checker.match import latent
from checker.match import lexical as L
from checker.resources import data_dir


def sim(a: str, b: str) -> float:
    va, vb = latent.embed([L.analysed(a)[0]]), latent.embed([L.analysed(b)[0]])
    return float(latent.cosines(va, vb)[0, 0])


def test_the_vectors_are_package_data_small_and_learned_without_the_blind_seeds():
    f = data_dir("reference").joinpath(latent.FILE)
    assert f.is_file()
    size = len(f.read_bytes())
    assert size < 800_000, size  # README.md states its size
    pos, vec, meta = latent.model()
    assert vec.shape == (len(pos), meta["k"]) and meta["k"] == latent.dimensions()
    assert 2000 < len(pos) < 20000
    names = [s.rsplit("/", 1)[-1] for s in meta["sources"]]
    assert not [n for n in names if n.startswith(("000", "004"))], names
    assert any(n.startswith("001") for n in names) and "nq03-nq-cp-2025-annex2-tasks.md" in names


def test_paraphrases_that_share_no_word_read_alike():
    a, b = "Hạ tầng mạng 5G, cáp quang", "Trạm phát sóng di động, băng rộng cố định"
    assert not set(L.analysed(a)[0]) & set(L.analysed(b)[0])  # not one term in common
    assert sim(a, b) > 0.3
    assert sim(a, "Khen thưởng tập thể, cá nhân tiêu biểu") < 0.15
    assert sim("Bồi dưỡng kỹ năng cho cán bộ, công chức", "Phòng trừ sâu bệnh hại lúa") < 0.15


def test_text_of_unknown_words_has_no_vector():
    v = latent.embed([L.analysed("xyzzy qwerty")[0], []])
    assert not v.any()


def test_the_lsa_feature_reaches_the_link_model():
    idx = L.build_index(["m1", "m2"], ["Phát triển hạ tầng mạng 5G, cáp quang đến thôn, ấp",
                                       "Khen thưởng tập thể, cá nhân có thành tích"])
    f = L.features(idx, ["Lắp đặt trạm phát sóng di động, băng rộng cố định"])
    col = L.FEATURES.index("lsa")
    assert f[0, 0, col] > f[0, 1, col] + 0.2
    assert f[0, 0, L.FEATURES.index("lsa_head")] > f[0, 1, L.FEATURES.index("lsa_head")] + 0.2
    assert L.WEIGHTS["lsa"] > 0 and L.WEIGHTS["lsa_head"] > 0
    assert np.isclose(np.linalg.norm(idx.latent, axis=1), 1.0, atol=1e-3).all()
    assert np.isclose(np.linalg.norm(idx.latent_head, axis=1), 1.0, atol=1e-3).all()
