#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// vault status | init | unlock | passwd
class VaultCommands
{
    Q_DECLARE_TR_FUNCTIONS(VaultCommands)

public:
    static CommandGroup group();
};

} // namespace rd
