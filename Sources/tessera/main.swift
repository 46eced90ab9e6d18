import TesseraCLI

Tessera.prepareProcess()
Tessera.main()
