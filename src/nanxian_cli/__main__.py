from nanxian_cli.entry import main

main()
