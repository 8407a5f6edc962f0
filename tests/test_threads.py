import threading

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.threads import read_ahead


def test_items_come_in_order_from_another_thread():
    threads = []

    def items():
        for number in range(10):
            threads.append(threading.current_thread())
            yield number

    assert list(read_ahead(items())) == list(range(10))
    assert threading.current_thread() not in threads


def test_an_error_of_the_producer_is_raised_where_its_item_would_have_come():
    def items():
        yield 1
        raise ValueError("row 3 is too wide")

    received = []
    with pytest.raises(ValueError, match="row 3 is too wide"):
        for item in read_ahead(items()):
            received.append(item)
    assert received == [1]


def test_stopping_early_stops_the_producer():
    produced = []

    def items():
        for number in range(1000):
            produced.append(number)
            yield number

    ahead = read_ahead(items(), depth=2)
    assert next(ahead) == 0
    ahead.close()
    count = len(produced)
    assert count < 10  # it stopped a few items ahead, not at the end
    assert not [thread for thread in threading.enumerate() if thread.name == "read-ahead"]


def test_the_producer_speaks_the_caller_s_language():
    def items():
        yield gettext("The file is empty.")

    with translation.override("fr"):
        assert list(read_ahead(items())) == ["Le fichier est vide."]
