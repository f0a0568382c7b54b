from orderspec.entry import main

main()
