"""The register of the keys already seen in an imported file (spreadsheets.seen)."""

from spreadsheets.seen import SeenKeys


def test_a_key_s_first_line_is_kept_across_chunks():
    seen = SeenKeys()
    seen.expect(["A", "B"])
    assert [seen.first("A", 2), seen.first("B", 3), seen.first("A", 4)] == [2, 3, 2]
    seen.expect(["B", "C"])
    assert [seen.first("C", 5), seen.first("B", 6), seen.first("C", 7)] == [5, 3, 5]
    seen.expect(["A"])
    assert seen.first("A", 8) == 2
    seen.close()


def test_a_key_not_announced_is_still_checked_against_earlier_chunks():
    seen = SeenKeys()
    seen.expect(["A"])
    seen.first("A", 2)
    seen.expect([])
    assert [seen.first("A", 9), seen.first("Z", 10), seen.first("Z", 11)] == [2, 10, 10]
    seen.close()
