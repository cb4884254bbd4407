from standards_check.entry import main

main()
