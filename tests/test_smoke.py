from aftersales.core.phones import phone_display, phone_mask, phone_normalize


def test_r41_phone_normalised_and_masked():
    assert phone_normalize("138 1234 1234") == "+8613812341234"
    assert phone_display("+8613812341234") == "13812341234"
    assert phone_mask("+8613812341234") == "138****1234"
    assert phone_display(phone_normalize("010-62345678")) == "01062345678"
