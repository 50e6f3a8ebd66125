#pragma once

#include "verb.h"

#include <QCoreApplication>

namespace rd {

// "package build|list|prune": release packages of a project's mirror in the local package store.
// Only `build` without --offline touches the network (to fetch the mirror first).
class PackageCommands
{
    Q_DECLARE_TR_FUNCTIONS(PackageCommands)

public:
    static CommandGroup group();
};

} // namespace rd
