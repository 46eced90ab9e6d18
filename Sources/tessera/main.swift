import TesseraCLI

Tessera.main()
