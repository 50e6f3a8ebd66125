#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// hook list | show | add | edit | remove
class HookCommands
{
    Q_DECLARE_TR_FUNCTIONS(HookCommands)

public:
    static CommandGroup group();
};

} // namespace rd
