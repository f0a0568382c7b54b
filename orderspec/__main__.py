from orderspec.cli import main

main()
