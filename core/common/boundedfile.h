#pragma once

#include "error.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

namespace rd {

// Reads a file someone else wrote (an inventory, an ssh configuration, a known_hosts file) with a
// ceiling, so a mistaken path such as /dev/zero or a multi-gigabyte file ends in an error, not a hang.
class BoundedFile
{
    Q_DECLARE_TR_FUNCTIONS(BoundedFile)

public:
    // `what` names the file in messages ("The Ansible inventory"). Errors carry field "file".
    static Result<QByteArray> read(const QString &path, qint64 maxBytes, const QString &what);
};

} // namespace rd
