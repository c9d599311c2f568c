from pulsebot.cli import main

main()
