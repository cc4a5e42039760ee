
import pytest

from tilod.records.siren import is_valid_siren


@pytest.mark.parametrize(
    ("siren", "valid"),
    [
        ("200071892", True),  # CA du Saint-Quentinois
        ("240200584", True),  # CC du Canton de Charly-sur-Marne
        ("210206660", True),  # commune of Saint-Quentin
        ("200071893", False),
        ("240200585", False),
        ("2000718921", False),
        ("20007189", False),
        ("20007189a", False),
        ("２０００７１８９２", False),  # full-width digits are not ASCII digits
        ("", False),
    ],
)
def test_luhn(siren, valid):
    assert is_valid_siren(siren) is valid
