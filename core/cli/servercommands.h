#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// server list | show | add | edit | remove
class ServerCommands
{
    Q_DECLARE_TR_FUNCTIONS(ServerCommands)

public:
    static CommandGroup group();
};

} // namespace rd
