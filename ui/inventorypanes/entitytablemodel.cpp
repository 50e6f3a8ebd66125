#include "entitytablemodel.h"

namespace rd {

int EntityTableModel::rowOf(qint64 id) const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (idAt(row) == id)
            return row;
    }
    return -1;
}

} // namespace rd
