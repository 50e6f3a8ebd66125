#include "recordtableview.h"

#include <QHeaderView>

namespace rd {

RecordTableView::RecordTableView(const QString &objectName, QWidget *parent) : QTableView(parent)
{
    setObjectName(objectName);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setWordWrap(false);
    setShowGrid(false);
    verticalHeader()->hide();
    // Fixed row heights: no per-row measuring.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(true);
}

void RecordTableView::setColumnWidths(const QList<std::pair<int, int>> &widths)
{
    const int digit = fontMetrics().horizontalAdvance(u'0');
    for (const auto &[column, characters] : widths)
        horizontalHeader()->resizeSection(column, digit * characters);
}

} // namespace rd
