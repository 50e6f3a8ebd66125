#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// export json | ansible, and import json | ssh-config | ansible
class TransferCommands
{
    Q_DECLARE_TR_FUNCTIONS(TransferCommands)

public:
    static CommandGroup exportGroup();
    static CommandGroup importGroup();
};

} // namespace rd
