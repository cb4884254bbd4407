from standards_check.cli import main

main()
