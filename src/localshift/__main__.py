from localshift.cli import main

main()
