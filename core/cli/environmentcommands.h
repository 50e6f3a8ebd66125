#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// env list | show | add | edit | remove | assign | unassign
class EnvironmentCommands
{
    Q_DECLARE_TR_FUNCTIONS(EnvironmentCommands)

public:
    static CommandGroup group();
};

} // namespace rd
