import sys

from newserrata.cli import main

sys.exit(main())
