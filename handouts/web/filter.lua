-- pandoc Lua filter of make handouts (handouts/web/build.sh): turns a
-- handout written for GitHub into a page of the web handouts.
--
--   * links to another handout's .md go to its .html;
--   * "<a id="slug"></a>" on the line before a heading (the Chinese
--     handouts keep the English anchors that way) becomes the heading's id;
--   * an image alone in its paragraph becomes a figure with its caption;
--   * a code block of commands ("$ ...") is shown as a terminal, prompt
--     and command apart from what it prints; one of C is highlighted as C;
--   * "lab 04" (or "实验 04") in the text links to lab 04's page, when that
--     lab is in this build (metadata nslab-labs, nslab-self);
--   * "clone(2)" and the like link to the man page on man7.org;
--   * the first heading becomes the title, above the table of contents.

local labs = {}        -- "04" -> "04_mount_proc"
local self = ""

local function read_meta(meta)
  local list = meta["nslab-labs"] and pandoc.utils.stringify(meta["nslab-labs"]) or ""
  for name in list:gmatch("%S+") do labs[name:sub(1, 2)] = name end
  self = meta["nslab-self"] and pandoc.utils.stringify(meta["nslab-self"]):sub(1, 2) or ""
end

local function fix_link(link)
  local t = link.target
  if not t:match("^%a[%w+.-]*:") then
    link.target = t:gsub("^([^#]-)%.md(#?.*)$", "%1.html%2")
  end
  return link
end

local function escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function code_block(cb)
  if #cb.classes > 0 then return nil end
  local text = cb.text
  if text:match("^%$ ") or text:match("\n%$ ") then
    local out = {}
    for line in (text .. "\n"):gmatch("(.-)\n") do
      local cmd = line:match("^%$ (.*)$")
      if cmd then
        out[#out + 1] = '<span class="prompt">$ </span><span class="cmd">' .. escape(cmd) .. '</span>'
      else
        out[#out + 1] = '<span class="out">' .. escape(line) .. '</span>'
      end
    end
    return pandoc.RawBlock("html", '<pre class="console"><code>' .. table.concat(out, "\n") .. "</code></pre>")
  end
  if text:match(";%s*\n") or text:match(";%s*$") or text:match("{%s*\n") or text:match("/%*") then
    cb.classes = { "c" }
    return cb
  end
  return nil
end

-- "lab 04" and "实验 04" in a list of inlines (not inside a link or code).
local function link_labs(inlines)
  local out = pandoc.List()
  local i = 1
  while i <= #inlines do
    local el, done = inlines[i], false
    if el.t == "Str" and inlines[i + 1] and inlines[i + 1].t == "Space" and inlines[i + 2] and inlines[i + 2].t == "Str" then
      local pre, word = el.text:match("^(.-)([Ll]abs?)$")
      if word and pre:match("%a$") then word = nil end
      if not word then pre, word = el.text:match("^(.-)(实验)$") end
      local num, rest = inlines[i + 2].text:match("^(%d%d)(.*)$")
      if word and num and labs[num] and num ~= self then
        if pre ~= "" then out:insert(pandoc.Str(pre)) end
        out:insert(pandoc.Link({ pandoc.Str(word), pandoc.Space(), pandoc.Str(num) }, labs[num] .. ".html", "", { class = "lab" }))
        if rest ~= "" then out:insert(pandoc.Str(rest)) end
        i, done = i + 3, true
      end
    end
    if not done then
      if el.t == "Emph" or el.t == "Strong" then el.content = link_labs(el.content) end
      if el.t == "Str" then
        local pre, name, sec, rest = el.text:match("^(.-)([%a_][%w_.-]*)%(([1-8])%)(.*)$")
        if name and not pre:match("[%w_]$") then
          if pre ~= "" then out:insert(pandoc.Str(pre)) end
          out:insert(pandoc.Link({ pandoc.Str(name .. "(" .. sec .. ")") },
            "https://man7.org/linux/man-pages/man" .. sec .. "/" .. name .. "." .. sec .. ".html", "", { class = "man" }))
          if rest ~= "" then out:insert(pandoc.Str(rest)) end
          done = true
        end
      end
      if not done then out:insert(el) end
      i = i + 1
    end
  end
  return out
end

local function anchor_of(block)
  if block.t ~= "Para" and block.t ~= "Plain" then return nil end
  local html = ""
  for _, el in ipairs(block.content) do
    if el.t ~= "RawInline" then return nil end
    html = html .. el.text
  end
  return html:match('^<a id="([^"]+)"></a>$')
end

local function blocks(list)
  local out = pandoc.List()
  local i = 1
  while i <= #list do
    local b = list[i]
    local id = anchor_of(b)
    if id and list[i + 1] and list[i + 1].t == "Header" then
      list[i + 1].identifier = id
    elseif b.t == "Para" and #b.content == 1 and b.content[1].t == "Image" then
      local img = b.content[1]
      out:insert(pandoc.RawBlock("html", "<figure>"))
      out:insert(pandoc.Plain({ img }))
      out:insert(pandoc.RawBlock("html", "<figcaption>"))
      out:insert(pandoc.Plain(link_labs(img.caption)))
      out:insert(pandoc.RawBlock("html", "</figcaption></figure>"))
    else
      out:insert(b)
    end
    i = i + 1
  end
  return out
end

-- The handout's first heading is the page's title, above the contents.
local function title(doc)
  for i, b in ipairs(doc.blocks) do
    if b.t == "Header" and b.level == 1 then
      doc.meta.title = b.content
      doc.blocks:remove(i)
      break
    end
  end
  return doc
end

return {
  { Meta = read_meta },
  { Link = fix_link, CodeBlock = code_block },
  { Para = function(p) p.content = link_labs(p.content) return p end,
    Plain = function(p) p.content = link_labs(p.content) return p end },
  { Blocks = blocks },
  { Pandoc = title },
}
