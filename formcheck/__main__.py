"""``python -m formcheck`` runs the command line."""

from formcheck.cli import main

if __name__ == "__main__":
    main()
