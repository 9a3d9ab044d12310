import sys

from deploysim.cli import main

sys.exit(main())
