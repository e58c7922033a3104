from nanxian_cli.cli import main

main()
