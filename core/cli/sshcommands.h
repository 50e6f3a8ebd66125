#pragma once

#include "hostkeys/hostkeyinfo.h"
#include "verb.h"

#include <QCoreApplication>

namespace rd {

// "ssh check" and "hostkeys scan|forget|import": reaching the servers of the inventory.
class SshCommands
{
    Q_DECLARE_TR_FUNCTIONS(SshCommands)

public:
    static CommandGroup sshGroup();
    static CommandGroup hostKeysGroup();
    // First contact on the command line: `acceptNew`, else a question on the terminal, else refuse.
    // Workers ask from their own threads, one question at a time.
    static HostKeyPrompt commandLinePrompt(bool acceptNew);
};

} // namespace rd
