#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// key list | show | add | edit | remove
class KeyCommands
{
    Q_DECLARE_TR_FUNCTIONS(KeyCommands)

public:
    static CommandGroup group();
};

} // namespace rd
