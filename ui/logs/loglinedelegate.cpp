#include "loglinedelegate.h"
#include "logs/logfilemodel.h"

#include <QApplication>
#include <QPainter>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

namespace rd {

namespace {

constexpr int Padding = 1;
// Wider rows than this are cut: a view cannot scroll further than an int of pixels anyway.
constexpr qint64 MaxRowWidth = 4'000'000;

const QColor StderrColor(0xc6, 0x28, 0x28);
const QColor MatchBackground(0xff, 0xd5, 0x4f);

// Lays `text` out one line at a time, each `width` wide, and returns the height used.
qreal layOut(QTextLayout &layout, qreal width)
{
    qreal height = 0;
    layout.beginLayout();
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
    }
    layout.endLayout();
    return height;
}

} // namespace

void LogLineDelegate::setSearch(const QString &text, Qt::CaseSensitivity cs)
{
    m_search = text;
    m_cs = cs;
}

int LogLineDelegate::gutterWidth(const QFontMetrics &metrics) const
{
    return metrics.horizontalAdvance(QLatin1Char('!')) + 8;
}

QList<LogLineDelegate::Match> LogLineDelegate::matches(const QModelIndex &index) const
{
    QList<Match> found;
    if (m_search.isEmpty())
        return found;
    const QString text = index.data(LogFileModel::TextRole).toString();
    for (qsizetype at = text.indexOf(m_search, 0, m_cs); at >= 0;
         at = text.indexOf(m_search, at + m_search.size(), m_cs))
        found.append({int(at), int(m_search.size())});
    return found;
}

void LogLineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // The style draws the selection and focus; the text is ours, for the highlights.
    opt.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    painter->setClipRect(opt.rect);
    const QFontMetrics metrics(opt.font);
    const int gutter = gutterWidth(metrics);
    const bool isStderr = index.data(LogFileModel::IsStderrRole).toBool();
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    if (isStderr) {
        // A bar and an exclamation mark, so standard error stands out without telling colours apart.
        painter->fillRect(QRect(opt.rect.left(), opt.rect.top(), 3, opt.rect.height()), StderrColor);
        QFont bold = opt.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(selected ? opt.palette.color(group, QPalette::HighlightedText) : StderrColor);
        painter->drawText(QRect(opt.rect.left() + 3, opt.rect.top() + Padding, gutter - 3, metrics.height()),
                          Qt::AlignCenter, QStringLiteral("!"));
    }

    const QString prefix = index.data(LogFileModel::TimePrefixRole).toString();
    const QVariant foreground = index.data(Qt::ForegroundRole);
    QColor textColor = opt.palette.color(group, QPalette::Text);
    if (selected)
        textColor = opt.palette.color(group, QPalette::HighlightedText);
    else if (foreground.canConvert<QBrush>() && foreground.value<QBrush>().style() != Qt::NoBrush)
        textColor = foreground.value<QBrush>().color();

    QTextLayout layout(prefix + index.data(LogFileModel::TextRole).toString(), opt.font);
    QTextOption textOption;
    textOption.setWrapMode(m_wrapWidth > 0 ? QTextOption::WrapAnywhere : QTextOption::NoWrap);
    layout.setTextOption(textOption);
    QList<QTextLayout::FormatRange> formats;
    if (!prefix.isEmpty() && !selected) {
        QTextCharFormat dimmed;
        dimmed.setForeground(opt.palette.color(group, QPalette::PlaceholderText));
        formats.append({0, int(prefix.size()), dimmed});
    }
    QTextCharFormat hit;
    hit.setBackground(MatchBackground);
    hit.setForeground(QColor(Qt::black));
    for (const Match &match : matches(index))
        formats.append({int(prefix.size()) + match.start, match.length, hit});
    layout.setFormats(formats);
    const QRect textRect = opt.rect.adjusted(gutter, Padding, -Padding, -Padding);
    layOut(layout, m_wrapWidth > 0 ? qreal(textRect.width()) : qreal(MaxRowWidth));
    painter->setFont(opt.font);
    painter->setPen(textColor);
    layout.draw(painter, textRect.topLeft());
    painter->restore();
}

QSize LogLineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics metrics(option.font);
    const int gutter = gutterWidth(metrics);
    const QString prefix = index.data(LogFileModel::TimePrefixRole).toString();
    if (m_wrapWidth <= 0) {
        // Every row as wide as the longest line, known from the index without reading a line: its bytes
        // with the record's prefix never undercount the characters shown, the shorter time stamp included.
        const auto *model = qobject_cast<const LogFileModel *>(index.model());
        const qint64 chars = model ? model->logIndex().longestLineLength()
                                   : prefix.size() + index.data(LogFileModel::TextRole).toString().size();
        const qint64 width = gutter + 2 * Padding + chars * metrics.horizontalAdvance(QLatin1Char('M'));
        return QSize(int(std::min(width, MaxRowWidth)), metrics.height() + 2 * Padding);
    }
    QTextLayout layout(prefix + index.data(LogFileModel::TextRole).toString(), option.font);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::WrapAnywhere);
    layout.setTextOption(textOption);
    const qreal height = layOut(layout, std::max(1, m_wrapWidth - gutter - 2 * Padding));
    return QSize(m_wrapWidth, std::max(metrics.height(), int(std::ceil(height))) + 2 * Padding);
}

} // namespace rd
