"""``python -m diary``: the ``diary`` command, for child processes of ``diary serve``."""

from diary.cli import main

if __name__ == "__main__":
    main()
