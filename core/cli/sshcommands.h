#pragma once

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
};

} // namespace rd
