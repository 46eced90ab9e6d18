import TesseraCLI

Tessera.prepareProcess()
Tessera.runFromCommandLine()
