#pragma once

#include "ansiblemodel.h"

#include <QByteArray>

namespace rd::ansible {

// Reads an INI inventory: [group], [group:vars] and [group:children] sections, host lines with
// key=value variables and ranges; every error names its line.
Result<Model> readIni(const QByteArray &data);

} // namespace rd::ansible
